"""The logwarden program: the tool list, dispatch by subcommand and by classic name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from logwarden.cli.registry import TOOLS

from support.reference import BASE_ENV, ours
from support.utmpbuild import USER_PROCESS, Rec, at, pack

PROGRAM = Path(sys.executable).parent / "logwarden"


def test_help_lists_every_tool_with_its_line() -> None:
    """``logwarden --help`` names each tool and says in one line what it does."""
    got = subprocess.run([PROGRAM, "--help"], capture_output=True, check=True)
    text = got.stdout.decode()
    for tool in TOOLS.values():
        assert f"  {tool.name} " in text
        assert tool.summary in text
        assert f"\n{tool.family}:\n" in text


def test_unknown_tool_is_refused() -> None:
    """A tool that does not exist: one line, status 2."""
    got = subprocess.run([PROGRAM, "nosuch"], capture_output=True, check=False)
    assert got.returncode == 2
    assert got.stderr == b"logwarden: unknown tool 'nosuch'; 'logwarden --help' lists them\n"


def test_no_arguments_shows_usage_on_stderr() -> None:
    """Run bare, the program explains itself on stderr and exits 2."""
    got = subprocess.run([PROGRAM], capture_output=True, check=False)
    assert got.returncode == 2
    assert got.stdout == b""
    assert b"usage: logwarden TOOL" in got.stderr


def test_install_links_makes_working_classic_names(tmp_path: Path) -> None:
    """Every classic tool gets a link, and a link runs its tool under its own name."""
    bindir = tmp_path / "bin"
    made = subprocess.run([PROGRAM, "install-links", str(bindir)], capture_output=True, check=True)
    classic = sorted(name for name, tool in TOOLS.items() if tool.classic)
    assert sorted(p.name for p in bindir.iterdir()) == classic
    assert made.stdout.count(b"\n") == len(classic)
    assert all((bindir / name).resolve() == PROGRAM.resolve() for name in classic)

    wtmp = tmp_path / "wtmp"
    wtmp.write_bytes(pack([Rec(USER_PROCESS, at("2024-01-01 10:00"), b"eve", b"pts/0", pid=9)]))
    via_link = subprocess.run(
        [bindir / "users", str(wtmp)], capture_output=True, check=False, env=BASE_ENV
    )
    via_tool = ours("users", [str(wtmp)])
    assert via_link.stdout == via_tool.stdout == b"eve\n"
    bad = subprocess.run([bindir / "users", "a", "b"], capture_output=True, env=BASE_ENV)
    assert bad.stderr.startswith(f"{bindir / 'users'}: extra operand".encode())


def test_install_links_leaves_existing_files_alone(tmp_path: Path) -> None:
    """Without --force an existing file survives, with a warning; with it, it is replaced."""
    (tmp_path / "who").write_text("mine")
    got = subprocess.run(
        [PROGRAM, "install-links", "--tools", "who", str(tmp_path)], capture_output=True
    )
    assert (tmp_path / "who").read_text() == "mine"
    assert b"exists; left alone" in got.stderr
    subprocess.run(
        [PROGRAM, "install-links", "-f", "-t", "who", str(tmp_path)],
        capture_output=True,
        check=True,
    )
    assert (tmp_path / "who").is_symlink()
