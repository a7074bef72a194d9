"""Events: every log of a host as rows of one schema, read by each family's reader."""
