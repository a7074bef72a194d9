"""getopt_long: differential against glibc's, through util-linux getopt(1).

getopt(1) runs glibc's getopt_long over the words it is given and prints what it parsed, so
every parse (and every complaint) can be compared with logwarden's emulation.
"""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logwarden.cli.getopt import Arg, GetoptError, LongOpt, getopt_long

from support.reference import BASE_ENV, need

SHORT = "ab:c::"
LONG = [
    LongOpt("alpha", Arg.NONE, "--alpha"),
    LongOpt("alps", Arg.NONE, "--alps"),
    LongOpt("beta", Arg.REQUIRED, "--beta"),
    LongOpt("gamma", Arg.OPTIONAL, "--gamma"),
    LongOpt("gamut", Arg.OPTIONAL, "--gamut"),
]
LONG_SPEC = "alpha,alps,beta:,gamma::,gamut::"

WORDS = ["-a", "-ab", "-bX", "-b", "-c", "-c5", "-ac", "-z", "-", "--", "x", "y z", "it's",
         "--al", "--alp", "--alpha", "--alps", "--alpha=1", "--beta", "--be=2", "--b", "--gam",
         "--gamma=", "--gamu=3", "--zz", "--zz=1", "-bc"]  # fmt: skip


def _quote(word: str) -> str:
    return "'" + word.replace("'", "'\\''") + "'"


def _render(options: list[tuple[str, str | None]], operands: list[str]) -> str:
    """What getopt(1) prints for a parse."""
    out = []
    for val, value in options:
        out.append(f" {val}" if val.startswith("--") else f" -{val}")
        takes = val in ("b", "c", "--beta", "--gamma", "--gamut")
        if takes:
            out.append(" " + _quote(value or ""))
    out.append(" --")
    out.extend(" " + _quote(w) for w in operands)
    return "".join(out) + "\n"


def _reference(words: list[str], posix: bool) -> subprocess.CompletedProcess[str]:
    need("getopt")
    env = dict(BASE_ENV)
    if posix:
        env["POSIXLY_CORRECT"] = "1"
    return subprocess.run(
        ["getopt", "-o", SHORT, "-l", LONG_SPEC, "--", *words],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def _check(words: list[str], posix: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    ref = _reference(words, posix)
    if posix:
        monkeypatch.setenv("POSIXLY_CORRECT", "1")
    else:
        monkeypatch.delenv("POSIXLY_CORRECT", raising=False)
    if ref.returncode != 0:
        # glibc complains about every bad option; logwarden stops at the first, as the tools do.
        with pytest.raises(GetoptError) as refused:
            getopt_long("getopt", words, SHORT, LONG)
        assert ref.stderr.splitlines()[0] == str(refused.value)
        return
    parsed = getopt_long("getopt", words, SHORT, LONG)
    assert ref.stdout == _render(parsed.options, parsed.operands)


@pytest.mark.parametrize(
    "words",
    [
        ["-a", "x", "-bfoo", "--beta", "y", "--gam=3", "-c", "--alpha"],
        ["--al"],
        ["--alp=3"],
        ["--zz=3"],
        ["-b"],
        ["--beta"],
        ["--alpha=1"],
        ["-abc"],
        ["x", "--", "-a"],
        ["-", "-a"],
        ["--gamu"],
        ["--gam"],
    ],
)
def test_known_cases(words: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Hand-picked parses and complaints agree with glibc."""
    _check(words, False, monkeypatch)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=6), st.booleans())
def test_random_command_lines(words: list[str], posix: bool) -> None:
    """Any command line over a tricky vocabulary parses as glibc parses it."""
    with pytest.MonkeyPatch.context() as mp:
        _check(words, posix, mp)


def test_same_meaning_prefix_is_not_ambiguous() -> None:
    """Two long options that return the same value are one option to glibc: no ambiguity."""
    table = [LongOpt("print-year", Arg.NONE, "y"), LongOpt("print-years", Arg.NONE, "y")]
    assert getopt_long("ac", ["--print"], "", table).options == [("y", None)]
