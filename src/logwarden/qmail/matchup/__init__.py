"""qmailanalog's matchup: the line engine (the reference) and the column engine."""
