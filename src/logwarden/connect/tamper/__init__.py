"""Tamper evidence: the marks log wipers leave in wtmp, and wtmp held against lastlog and pacct."""
