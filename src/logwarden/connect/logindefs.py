"""``/etc/login.defs`` as shadow 4.13 reads it (``lib/getdef.c``, built without libeconf).

Only what ``lastlog`` uses is needed (``LASTLOG_UID_MAX``), but the reading must be shadow's
to the byte, since shadow complains on stderr about every item it does not know and about a
value it cannot parse, and the differential tests compare stderr too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from logwarden.cnum import strtoul

#: Items shadow 4.13 (Debian 12 build) stores, and items it knows belong to other programs:
#: any other name draws "unknown item". Checked one by one against the real ``lastlog``.
KNOWN_ITEMS = frozenset(
    """
    CHFN_RESTRICT CONSOLE_GROUPS CONSOLE CREATE_HOME DEFAULT_HOME ENCRYPT_METHOD ENV_PATH
    ENV_SUPATH ERASECHAR FAKE_SHELL GID_MAX GID_MIN HOME_MODE HUSHLOGIN_FILE KILLCHAR
    LASTLOG_UID_MAX LOGIN_RETRIES LOGIN_TIMEOUT LOG_OK_LOGINS LOG_UNKFAIL_ENAB MAIL_DIR
    MAIL_FILE MAX_MEMBERS_PER_GROUP MD5_CRYPT_ENAB NONEXISTENT PASS_MAX_DAYS PASS_MIN_DAYS
    PASS_WARN_AGE SHA_CRYPT_MAX_ROUNDS SHA_CRYPT_MIN_ROUNDS YESCRYPT_COST_FACTOR SUB_GID_COUNT
    SUB_GID_MAX SUB_GID_MIN SUB_UID_COUNT SUB_UID_MAX SUB_UID_MIN SULOG_FILE SU_NAME
    SYS_GID_MAX SYS_GID_MIN SYS_UID_MAX SYS_UID_MIN TTYGROUP TTYPERM TTYTYPE_FILE UID_MAX
    UID_MIN UMASK USERDEL_CMD USERGROUPS_ENAB SYSLOG_SG_ENAB SYSLOG_SU_ENAB FORCE_SHADOW
    GRANT_AUX_GROUP_SUBIDS PREVENT_NO_AUTH
    CHFN_AUTH CHSH_AUTH CRACKLIB_DICTPATH ENV_HZ ENVIRON_FILE ENV_TZ FAILLOG_ENAB FTMP_FILE
    HMAC_CRYPTO_ALGO ISSUE_FILE LASTLOG_ENAB LOGIN_STRING MAIL_CHECK_ENAB MOTD_FILE
    NOLOGINS_FILE OBSCURE_CHECKS_ENAB PASS_ALWAYS_WARN PASS_CHANGE_TRIES PASS_MAX_LEN
    PASS_MIN_LEN PORTTIME_CHECKS_ENAB QUOTAS_ENAB SU_WHEEL_ONLY ULIMIT
    ALWAYS_SET_PATH ENV_ROOTPATH LOGIN_KEEP_USERNAME LOGIN_PLAIN_PROMPT MOTD_FIRSTONLY
    """.split()  # noqa: SIM905 - a word list is easier to check against shadow's table
)

# fgets() into a 1024-byte buffer: a longer line arrives in pieces of at most 1023 bytes.
_FGETS_PIECE = 1023
_C_SPACE = b" \t\n\v\f\r"


@dataclass
class LoginDefs:
    """The items read from a login.defs, and what shadow said on stderr while reading it."""

    values: dict[bytes, bytes] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def ulong(self, item: str, default: int) -> tuple[int, str | None]:
        """``getdef_ulong(item, default)``: the value and the complaint, if any, that shadow
        prints (without a newline, as it does)."""
        value = self.values.get(item.encode())
        if value is None:
            return default, None
        text = value.decode("latin-1")
        parsed = strtoul(text, 0)
        if not text or parsed.end != len(text) or parsed.erange:
            return default, f"configuration error - cannot parse {item} value: '{text}'"
        return parsed.value, None


def _pieces(data: bytes) -> list[bytes]:
    """The strings successive ``fgets(buf, 1024, fp)`` calls return."""
    pieces = []
    for line in _lf_lines(data):
        while len(line) > _FGETS_PIECE:
            pieces.append(line[:_FGETS_PIECE])
            line = line[_FGETS_PIECE:]
        pieces.append(line)
    return pieces


def _lf_lines(data: bytes) -> list[bytes]:
    """Lines with their newline; only "\\n" ends a line for fgets."""
    lines = data.split(b"\n")
    out = [line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def parse(data: bytes) -> LoginDefs:
    """Read login.defs text as ``def_load`` does: trailing white space trimmed, ``#`` and
    one-field lines skipped, the value after blanks and quotes, cut at the next quote."""
    defs = LoginDefs()
    for piece in _pieces(data):
        buf = piece.partition(b"\0")[0].rstrip(_C_SPACE)
        name = buf.lstrip(b" \t")
        if not name or name.startswith(b"#"):
            continue
        cut = min((i for i in (name.find(b" "), name.find(b"\t")) if i >= 0), default=-1)
        if cut < 0:
            continue  # only one field
        key, rest = name[:cut], name[cut + 1 :]
        value = rest.lstrip(b' "\t').partition(b'"')[0]
        if key.decode("latin-1") in KNOWN_ITEMS:
            defs.values[key] = value
        else:
            name_text = key.decode("latin-1")
            defs.messages.append(
                f"configuration error - unknown item '{name_text}' (notify administrator)\n"
            )
    return defs
