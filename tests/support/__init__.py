"""Helpers shared by the tests: building fixture files, running reference tools."""
