"""ac (GNU acct 6.6.4): connect time per user and day; a sequential engine and a vectorized one."""
