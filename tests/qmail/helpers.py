"""Paths of the real qmail-send samples, and small builders for tests."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "qmail-samples"


def sample(name: str) -> Path:
    """The real sample whose file name starts with ``name``."""
    found = sorted(SAMPLES.glob(f"{name}*"))
    assert found, f"no sample {name} in {SAMPLES}"
    return found[0]
