"""sa (GNU acct 6.6.4): process accounting summed per command and per user."""
