"""qmailanalog's reports over matchup's output: the plain helpers (``ddist``, ``deferrals``,
``recipients`` ...), the ``z`` reports built from them, ``zoverall``, ``zsendmail`` and
``columnt``; rows, columns and numbers as qmailanalog prints them."""
