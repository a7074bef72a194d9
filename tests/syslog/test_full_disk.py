"""syslogd on a full disk: lines are held and written once there is room, none lost or
written twice, even when no further message comes to trigger the write.

A real syslogd writing into a real small tmpfs mounted by the test (root only), fed over
its unix socket.
"""

from __future__ import annotations

import time
from pathlib import Path

from .harness import logwarden_syslogd, markers, send_datagrams
from support.smallfs import fill, tmpfs

COUNT = 3000


def test_full_disk_holds_lines_until_there_is_room(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "out", "256k") as out:
        blocker = fill(out, 8 * 1024)
        with logwarden_syslogd(tmp_path, "") as daemon:
            # About 170 KB of lines for 8 KB of room.
            datagrams = [b"<13>Nov 25 10:00:00 host app: m%dx %s" % (n, b"." * 20)
                         for n in range(COUNT)]  # fmt: skip
            send_datagrams(daemon.socket, datagrams)
            deadline = time.monotonic() + 20
            while "No space left on device" not in daemon.errors():
                assert time.monotonic() < deadline, daemon.errors()
                time.sleep(0.05)
            # Every message has been taken by now (the queue is drained in milliseconds):
            # what is missing from the file is held by the daemon.
            time.sleep(1.5)
            assert daemon.process.poll() is None
            assert (out / "ALL").read_bytes().count(b"\n") < COUNT
            # Room again, and no message after it: the held lines are written anyway.
            blocker.unlink()
            daemon.wait_for(COUNT)
            assert markers((out / "ALL").read_bytes()) == list(range(COUNT))
        assert daemon.process.returncode == 0
        assert markers((out / "ALL").read_bytes()) == list(range(COUNT))
