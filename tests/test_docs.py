"""Every tool has a manual page, and every page says what a page must say."""

from __future__ import annotations

from pathlib import Path

import pytest

from logwarden.cli.registry import TOOLS

DOCS = Path(__file__).resolve().parent.parent / "docs"
REQUIRED = ("## Synopsis", "## Options", "## Exit status", "## Examples")


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_every_tool_has_a_page(name: str) -> None:
    """docs/tools/NAME.md exists and has the sections every manual has."""
    page = DOCS / "tools" / f"{name}.md"
    assert page.is_file(), f"{name} has no manual page at {page}"
    text = page.read_text()
    missing = [heading for heading in REQUIRED if heading not in text]
    assert not missing, f"{page.name} lacks {missing}"


@pytest.mark.parametrize("name", sorted(n for n, t in TOOLS.items() if t.classic))
def test_classic_tools_say_how_they_differ(name: str) -> None:
    """A tool that stands in for a classic one says where it differs from it and why."""
    text = (DOCS / "tools" / f"{name}.md").read_text()
    assert "## Differences from the reference" in text


def test_design_document_exists() -> None:
    """docs/design.md describes the layers and the decisions."""
    text = (DOCS / "design.md").read_text()
    for heading in ("## Layers", "## Records", "## Decisions"):
        assert heading in text
