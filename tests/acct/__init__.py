"""Tests of the process accounting tools."""
