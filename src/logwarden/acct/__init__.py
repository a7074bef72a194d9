"""Process accounting tools: accton, lastcomm, sa, dump-acct, and the per-session view."""
