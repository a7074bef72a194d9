"""w (procps-ng 4.0.2): who is logged on and what they are doing, from utmp and /proc."""
