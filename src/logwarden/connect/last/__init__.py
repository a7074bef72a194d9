"""last and lastb (util-linux 2.38.1): sessions from wtmp and failed logins from btmp."""
