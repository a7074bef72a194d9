"""The timeline: events in time order, filtered, rendered; sessions and findings."""
