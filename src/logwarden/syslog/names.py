"""Facility and severity numbers and the names syslog.conf, logger and the file formats use.

PRI = facility * 8 + severity. Facilities 0..23 are real; 24 is where rsyslog files a message
whose PRI could not be read (it prints that PRI as ``invld``; ``*`` selects it). The ``mark``
facility of selectors is a slot of its own (25): running rsyslog 8.2302 shows that ``mark.*``
selects none of the messages a client can send, invalid ones included.
"""

from __future__ import annotations

#: Number of facility slots a selector mask has: 0..23, invld (24) and mark (25).
NFACILITIES = 26
#: The selector slot of ``mark``.
MARK_FACILITY = 25
#: The facility rsyslog gives a message whose PRI is unreadable (LOG_INVLD >> 3).
INVALID_FACILITY = 24
#: The PRI a message without one gets: user.notice.
DEFAULT_PRI = 13
#: The highest valid PRI (local7.debug).
MAX_PRI = 191

SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")

#: Severity names a selector accepts (rsyslog's syslogPriNames); ``none`` and ``*`` are
#: the two pseudo priorities, given the values rsyslog gives them.
NOPRI = 0x10
ALLPRI = 0xFF
SELECTOR_PRIORITIES: dict[str, int] = {
    "alert": 1, "crit": 2, "debug": 7, "emerg": 0, "err": 3, "error": 3, "info": 6,
    "none": NOPRI, "notice": 5, "panic": 0, "warn": 4, "warning": 4, "*": ALLPRI,
}  # fmt: skip

#: Facility names a selector accepts, as rsyslog's syslogFacNames on Linux (code << 3).
SELECTOR_FACILITIES: dict[str, int] = {
    "auth": 4 << 3, "authpriv": 10 << 3, "cron": 9 << 3, "daemon": 3 << 3, "kern": 0,
    "lpr": 6 << 3, "mail": 2 << 3, "mark": MARK_FACILITY << 3, "news": 7 << 3, "ntp": 12 << 3,
    "security": 4 << 3, "bsd_security": 13 << 3, "syslog": 5 << 3, "user": 1 << 3,
    "uucp": 8 << 3, "ftp": 11 << 3, "console": 14 << 3,
    **{f"local{n}": (16 + n) << 3 for n in range(8)},
}  # fmt: skip

#: The name each facility code is shown with (rsyslog's ``%syslogfacility-text%``).
FACILITY_NAMES = (
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
    "authpriv", "ftp", "ntp", "audit", "alert", "clock",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7", "invld",
    "mark",
)  # fmt: skip

#: The facilities util-linux logger and glibc know by name (glibc's facilitynames), code << 3.
LOGGER_FACILITIES: dict[str, int] = {
    "auth": 4 << 3, "authpriv": 10 << 3, "cron": 9 << 3, "daemon": 3 << 3, "ftp": 11 << 3,
    "kern": 0, "lpr": 6 << 3, "mail": 2 << 3, "mark": 24 << 3, "news": 7 << 3,
    "security": 4 << 3, "syslog": 5 << 3, "user": 1 << 3, "uucp": 8 << 3,
    **{f"local{n}": (16 + n) << 3 for n in range(8)},
}  # fmt: skip

#: glibc's prioritynames (``none`` is INTERNAL_NOPRI, 0x10).
LOGGER_PRIORITIES: dict[str, int] = {
    "alert": 1, "crit": 2, "debug": 7, "emerg": 0, "err": 3, "error": 3, "info": 6,
    "none": NOPRI, "notice": 5, "panic": 0, "warn": 4, "warning": 4,
}  # fmt: skip


def facility_name(facility: int) -> str:
    """The conventional name of facility code ``facility`` (0..25)."""
    return FACILITY_NAMES[facility]


def severity_name(severity: int) -> str:
    """The conventional name of severity ``severity`` (0..7)."""
    return SEVERITIES[severity]


def parse_facility_severity(text: str) -> tuple[int, int] | None:
    """``mail.err`` (names or numbers, any case) as (facility, severity); None if not one.

    This is the single-message form used by ``syslog route``: one facility, one severity.
    """
    fac_text, dot, sev_text = text.partition(".")
    if not dot:
        return None
    fac_text, sev_text = fac_text.lower(), sev_text.lower()
    if fac_text.isdigit():
        facility = int(fac_text)
    elif fac_text in SELECTOR_FACILITIES:
        facility = SELECTOR_FACILITIES[fac_text] >> 3
    else:
        return None
    if sev_text.isdigit():
        severity = int(sev_text)
    else:
        severity = SELECTOR_PRIORITIES.get(sev_text, -1)
    if not 0 <= facility < NFACILITIES or not 0 <= severity <= 7:
        return None
    return facility, severity
