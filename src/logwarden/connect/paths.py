"""Where the classic tools look for their files by default (Debian's paths)."""

UTMP = "/var/run/utmp"
WTMP = "/var/log/wtmp"
BTMP = "/var/log/btmp"
LASTLOG = "/var/log/lastlog"
LASTLOG2 = "/var/lib/lastlog/lastlog2.db"
PASSWD = "/etc/passwd"
GROUP = "/etc/group"
