"""Tests of logwarden.qmail."""
