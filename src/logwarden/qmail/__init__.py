"""qmail's logs: qmail-send lines typed and explained, qmailanalog's matchup and reports,
logwarden's one-pass report, and splogger."""
