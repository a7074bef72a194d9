"""Syslog: the syslog.conf compiler and router, message codecs, syslogd, logger, log readers."""
