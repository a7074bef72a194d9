"""Tests of the syslog package: conf compiler, router, codecs, syslogd, logger, readers."""
