"""logwarden: every log on a Unix mail server, read and written like the classic tools, faster
and safer.

Each classic program is a library function first (``logwarden.connect.last.analyse``,
``logwarden.connect.ac.compute``, ...) and a command second (``logwarden last``).
"""

__version__ = "0.1.0"
