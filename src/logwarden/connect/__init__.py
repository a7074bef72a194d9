"""Connect-time logs: utmp (who is on now), wtmp (history), btmp (failures), lastlog."""
