"""The syslog.conf compiler: selectors, actions, directives and where errors are reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from logwarden.syslog import actions, selectors
from logwarden.syslog.conf import compile_file, compile_text
from logwarden.syslog.names import NFACILITIES
from logwarden.syslog.router import RoutingTable, describe_masks

from support.reference import ours

ALL = 0xFF
MAIL, NEWS, UUCP, AUTHPRIV, LOCAL0 = 2, 7, 8, 10, 16


def masks_of(text: str) -> list[int]:
    masks, problem = selectors.decode(text)
    assert problem is None, problem
    return masks


@pytest.mark.parametrize(
    ("selector", "mail_mask"),
    [
        ("mail.info", 0b01111111),
        ("mail.=info", 0b01000000),
        ("mail.!info", 0),
        ("mail.!=info", 0),
        ("mail.*;mail.!err", 0b11110000),
        ("mail.err;mail.=debug", 0b10001111),
        ("mail.none;mail.crit", 0b00000111),
        ("mail.crit;mail.none", 0),
        ("mail.!none", ALL),
        ("mail.debug;mail.!=warning;mail.!=err", 0b11100111),
        ("MAIL.Warn", 0b00011111),
        ("mail.3", 0b00001111),
        ("mail.panic", 1),
        ("mail.error", 0b1111),
    ],
)
def test_selector_masks(selector: str, mail_mask: int) -> None:
    """Selectors refine left to right as rsyslog 8.2302's legacy parser does."""
    assert masks_of(selector)[MAIL] == mail_mask


def test_star_covers_every_slot_and_none_excludes() -> None:
    """``*.info;mail.none;authpriv.none``: info and up everywhere but mail and authpriv."""
    masks = masks_of("*.info;mail.none;authpriv.none")
    assert len(masks) == NFACILITIES
    assert masks[MAIL] == 0
    assert masks[AUTHPRIV] == 0
    assert masks[0] == masks[LOCAL0] == 0b01111111


def test_comma_list_of_facilities() -> None:
    """A comma separates facilities; each gets the same priority."""
    masks = masks_of("uucp,news.crit")
    assert masks[UUCP] == masks[NEWS] == 0b111
    assert masks[MAIL] == 0


@pytest.mark.parametrize(
    ("selector", "message", "kept_mail"),
    [
        ("mail.warn,err", 'unknown priority name ""', 0b11111),
        ("mail.bogus", 'unknown priority name "bogus"', 0),
        ("mail.=bogus", 'unknown priority name "=bogus"', 0),
        ("mail.info;bogus.crit", 'unknown facility name "bogus"', 0b1111111),
        ("mail.crit;;", 'unknown priority name ""', 0b111),
    ],
)
def test_unknown_names_keep_what_came_before(selector: str, message: str, kept_mail: int) -> None:
    """The first unknown name is reported in rsyslog's words; earlier masks stay."""
    masks, problem = selectors.decode(selector)
    assert problem is not None
    assert problem.message == message
    assert masks[MAIL] == kept_mail


def test_errors_name_file_line_and_column(tmp_path: Path) -> None:
    """Every problem is reported as FILE:LINE:COLUMN with the line skipped or kept as rsyslog."""
    conf = tmp_path / "syslog.conf"
    conf.write_text(
        "# comment\n"
        "mail.* /var/log/mail\n"
        "  mail.bogus\t/var/log/x\n"
        "local8.crit /var/log/y\n"
        "mail.crit\n"
        "mail.crit @host:99999\n"
        "mail.crit /f;NoSuchTemplate\n"
        "mail, news.crit /z\n"
        "$Bogus on\n"
    )
    config = compile_file(str(conf))
    assert [str(d) for d in config.diagnostics] == [
        f'{conf}:3:8: error: unknown priority name "bogus"',
        f"{conf}:4:1: error: expected a selector such as mail.info",
        f"{conf}:5:10: error: selector without an action",
        f"{conf}:6:17: error: port 99999 out of range",
        f"{conf}:7:14: error: unknown template 'NoSuchTemplate'",
        f"{conf}:8:1: error: expected a selector such as mail.info",
        f"{conf}:9:1: warning: $Bogus ignored",
    ]
    assert [r.selector for r in config.rules] == ["mail.*", "mail.bogus"]


def test_continuation_lines_report_positions_on_the_right_line() -> None:
    """A backslash joins lines; a mistake on the second physical line is located there."""
    config = compile_text("mail.crit;\\\n    news.bogus /x\n", "c")
    assert [str(d) for d in config.diagnostics] == ['c:2:10: error: unknown priority name "bogus"']
    assert config.rules[0].masks[MAIL] == 0b111


def test_seed_colon_typo_is_read_as_semicolon() -> None:
    """The seed's ``*.info:mail.none;authpriv.none`` works as written, with a warning."""
    config = compile_text("*.info:mail.none;authpriv.none /var/log/messages \n", "s")
    assert [str(d) for d in config.diagnostics] == [
        "s:1:7: warning: ':' between selectors read as ';'"
    ]
    assert config.rules[0].selector == "*.info;mail.none;authpriv.none"
    assert config.rules[0].action.target == "/var/log/messages"


@pytest.mark.parametrize(
    ("word", "kind", "target", "port", "sync"),
    [
        ("/var/log/messages", actions.FILE, "/var/log/messages", 0, True),
        ("-/var/log/maillog", actions.FILE, "/var/log/maillog", 0, False),
        ("/dev/console", actions.FILE, "/dev/console", 0, False),
        ("|/run/fifo", actions.PIPE, "/run/fifo", 0, False),
        ("@linuxaid.com.cn", actions.UDP, "linuxaid.com.cn", 514, False),
        ("@10.0.0.1:5514", actions.UDP, "10.0.0.1", 5514, False),
        ("@@loghost:601", actions.TCP, "loghost", 601, False),
        ("@[2001:db8::1]:514", actions.UDP, "2001:db8::1", 514, False),
        ("root,tiger", actions.USERS, "", 0, False),
        (":omusrmsg:root", actions.USERS, "", 0, False),
        ("*", actions.WALL, "", 0, False),
        ("~", actions.DISCARD, "", 0, False),
        ("stop", actions.DISCARD, "", 0, False),
    ],
)
def test_actions(word: str, kind: str, target: str, port: int, sync: bool) -> None:
    """Each legacy action form is recognised with its target."""
    action = actions.parse_action(word)
    assert (action.kind, action.target, action.port, action.sync) == (kind, target, port, sync)


def test_user_list_and_template() -> None:
    """User lists split on commas; a template follows a semicolon."""
    assert actions.parse_action("root,tiger").users == ("root", "tiger")
    action = actions.parse_action("/x;RSYSLOG_FileFormat")
    assert (action.target, action.template) == ("/x", "RSYSLOG_FileFormat")


def test_directives_and_ampersand() -> None:
    """$RepeatedMsgReduction, $ActionFileDefaultTemplate and ``&`` repeat the selector."""
    config = compile_text(
        "$RepeatedMsgReduction on\n$ActionFileDefaultTemplate RSYSLOG_FileFormat\nmail.* /a\n& /b\n"
    )
    assert config.repeated_msg_reduction
    assert config.file_template == "RSYSLOG_FileFormat"
    assert [r.action.target for r in config.rules] == ["/a", "/b"]
    assert config.rules[1].masks == config.rules[0].masks


def test_rainerscript_objects_are_skipped_with_a_warning() -> None:
    """rsyslog's module(...) statements, even over several lines, are not rules."""
    config = compile_text('module(load="imuxsock"\n  SysSock.Use="off")\nmail.* /a\n', "r")
    assert [str(d) for d in config.diagnostics] == [
        "r:1:1: warning: rsyslog module() statement ignored"
    ]
    assert len(config.rules) == 1


def test_include_config(tmp_path: Path) -> None:
    """$IncludeConfig reads matching files in name order."""
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b.conf").write_text("news.* /b\n")
    (tmp_path / "d" / "a.conf").write_text("mail.* /a\n")
    main = tmp_path / "main.conf"
    main.write_text(f"$IncludeConfig {tmp_path}/d/*.conf\nuser.* /u\n")
    assert [r.action.target for r in compile_file(str(main)).rules] == ["/a", "/b", "/u"]


def test_discard_stops_later_rules() -> None:
    """A discard action ends routing for what it matches."""
    config = compile_text("local6.* /a\nlocal6.* ~\n*.* /b\n")
    table = RoutingTable(config.rules)
    assert [r.action.target for r in table.targets(22, 3)] == ["/a"]
    assert [r.action.target for r in table.targets(1, 3)] == ["/b"]


def test_describe_masks() -> None:
    """What a rule selects, said briefly."""
    assert describe_masks(tuple(masks_of("mail.*;mail.!err"))) == "mail.warning-debug"
    assert describe_masks(tuple(masks_of("mail.crit;mail.none"))) == "nothing"
    assert describe_masks(tuple(masks_of("*.*"))) == "*.*"


def test_check_cli(tmp_path: Path) -> None:
    """``syslog check`` lists the rules and exits 1 on an error, warnings on stderr."""
    conf = tmp_path / "syslog.conf"
    conf.write_text("mail.* /var/log/maillog\n*.info:mail.none /var/log/messages\n")
    got = ours("syslog", ["check", str(conf)])
    assert got.status == 0
    assert got.stdout == (
        b"1\tmail.*\t/var/log/maillog\tmail.*\n"
        b"2\t*.info;mail.none\t/var/log/messages\t*!mail.emerg-info\n"
    )
    assert got.stderr == f"{conf}:2:7: warning: ':' between selectors read as ';'\n".encode()
    conf.write_text("mail.nope /x\n")
    bad = ours("syslog", ["check", str(conf)])
    assert bad.status == 1
    assert bad.stderr == f'{conf}:1:6: error: unknown priority name "nope"\n'.encode()


def test_route_cli(tmp_path: Path) -> None:
    """``syslog route`` lists the actions in order, ``(nowhere)`` for none; --json rows."""
    conf = tmp_path / "syslog.conf"
    conf.write_text("mail.* /var/log/maillog\n*.emerg *\n*.emerg @loghost\n")
    got = ours("syslog", ["route", str(conf), "mail.emerg", "news.info"])
    assert got.stdout == (
        b"mail.emerg\t/var/log/maillog\t1:mail.*\n"
        b"mail.emerg\t*\t2:*.emerg\n"
        b"mail.emerg\t@loghost\t3:*.emerg\n"
        b"news.info\t(nowhere)\n"
    )
    js = ours("syslog", ["route", "--json", str(conf), "local0.emerg"])
    assert js.stdout.count(b"\n") == 2
    assert b'"kind":"wall"' in js.stdout
    usage = ours("syslog", ["route", str(conf), "mail"])
    assert usage.status == 2
