"""daemontools' log writers: multilog (script, log directories) and the tai64n filters."""
