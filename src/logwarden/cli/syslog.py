"""``logwarden syslog check|route|grep``: syslog.conf checked and explained, logs searched.

syslog check [--json] FILE            compile FILE, report errors with file:line:column
syslog route [--json] FILE FAC.PRI... where a message of that facility and priority goes
syslog grep [OPTIONS] PATTERN FILE... search syslog files and program logs (see --help)
"""

from __future__ import annotations

from logwarden.cli.common import OUTPUT_OPTS, Extras, rows_out
from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long
from logwarden.cli.main import Invocation
from logwarden.errors import UsageError
from logwarden.syslog.conf import Config, compile_file
from logwarden.syslog.names import facility_name, parse_facility_severity, severity_name
from logwarden.syslog.router import RoutingTable, describe_masks

USAGE = """\
Usage: logwarden syslog check [--json|--csv] FILE
       logwarden syslog route [--json|--csv] FILE FACILITY.PRIORITY...
       logwarden syslog grep [OPTIONS] PATTERN [FILE...]   (logwarden syslog grep --help)

check  compile a syslog.conf: every rule with what it selects; errors and warnings on
       stderr as FILE:LINE:COLUMN; exit status 1 if there is an error
route  the actions a message of FACILITY.PRIORITY (mail.err, local0.7) reaches, in order
"""

LONG = [LongOpt("help", Arg.NONE, "h"), *OUTPUT_OPTS]

RULE_FIELDS = ("file", "line", "column", "selector", "action", "kind", "selects")
ROUTE_FIELDS = ("message", "facility", "severity", "file", "line", "selector", "action", "kind")


def main(inv: Invocation) -> int:
    if not inv.args:
        inv.stderr.write(USAGE)
        return 2
    if inv.args[0] in ("-h", "--help"):
        inv.stdout.write(USAGE.encode())
        return 0
    command, args = inv.args[0], inv.args[1:]
    if command == "grep":
        from logwarden.cli.sysloggrep import grep_main

        return grep_main(inv, args)
    if command not in ("check", "route"):
        raise UsageError(f"unknown command {command!r}; try 'logwarden syslog --help'", exit_code=2)
    try:
        parsed = getopt_long(f"{inv.argv0} {command}", args, "h", LONG)
    except GetoptError as e:
        raise UsageError(str(e), exit_code=2) from None
    extras = Extras()
    for opt, value in parsed.options:
        if extras.take(opt, value):
            continue
        inv.stdout.write(USAGE.encode())
        return 0
    if command == "check":
        if len(parsed.operands) != 1:
            raise UsageError("check takes one FILE", exit_code=2)
        return _check(inv, extras, parsed.operands[0])
    if len(parsed.operands) < 2:
        raise UsageError("route takes FILE and at least one FACILITY.PRIORITY", exit_code=2)
    return _route(inv, extras, parsed.operands[0], parsed.operands[1:])


def _report(inv: Invocation, config: Config) -> None:
    for diagnostic in config.diagnostics:
        inv.stderr.write(f"{diagnostic}\n")


def _check(inv: Invocation, extras: Extras, path: str) -> int:
    config = compile_file(path)
    _report(inv, config)
    rows = [
        {
            "file": rule.position.path,
            "line": rule.position.line,
            "column": rule.position.column,
            "selector": rule.selector,
            "action": rule.action.text,
            "kind": rule.action.kind,
            "selects": describe_masks(rule.masks),
        }
        for rule in config.rules
    ]
    if extras.rows:
        out = rows_out(inv, extras, RULE_FIELDS)
        for row in rows:
            out.write(row)
        out.close()
    else:
        for row in rows:
            line = f"{row['line']}\t{row['selector']}\t{row['action']}\t{row['selects']}\n"
            inv.stdout.write(line.encode("utf-8", "surrogateescape"))
    return 1 if config.errors else 0


def _route(inv: Invocation, extras: Extras, path: str, messages: list[str]) -> int:
    wanted = []
    for text in messages:
        pair = parse_facility_severity(text)
        if pair is None:
            raise UsageError(f"not a facility.priority: {text!r}", exit_code=2)
        wanted.append((text, *pair))
    config = compile_file(path)
    _report(inv, config)
    table = RoutingTable(config.rules)
    out = rows_out(inv, extras, ROUTE_FIELDS) if extras.rows else None
    for text, facility, severity in wanted:
        rules = table.targets(facility, severity)
        label = f"{facility_name(facility)}.{severity_name(severity)}"
        if out is None and not rules:
            inv.stdout.write(f"{label}\t(nowhere)\n".encode())
        for rule in rules:
            row = {
                "message": text,
                "facility": label.split(".")[0],
                "severity": severity_name(severity),
                "file": rule.position.path,
                "line": rule.position.line,
                "selector": rule.selector,
                "action": rule.action.text,
                "kind": rule.action.kind,
            }
            if out is not None:
                out.write(row)
            else:
                line = f"{label}\t{rule.action.text}\t{rule.position.line}:{rule.selector}\n"
                inv.stdout.write(line.encode("utf-8", "surrogateescape"))
    if out is not None:
        out.close()
    return 0
