"""A second process that sends syslog traffic as fast as it can (or at a given rate).

python sender.py unix PATH COUNT
python sender.py tcp PORT COUNT
python sender.py udp PORT COUNT RATE     (RATE messages per second, 0 = unlimited)
"""

from __future__ import annotations

import contextlib
import socket
import sys
import time


def messages(count: int) -> list[bytes]:
    return [b"<14>Nov 25 01:02:03 load[42]: message %d of the load test" % i for i in range(count)]


def main(argv: list[str]) -> None:
    kind, target, count = argv[0], argv[1], int(argv[2])
    batch = messages(count)
    if kind == "unix":
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.connect(target)
            send = s.send
            for data in batch:
                send(data)
    elif kind == "tcp":
        with socket.create_connection(("127.0.0.1", int(target))) as s:
            chunk: list[bytes] = []
            for data in batch:
                chunk.append(data + b"\n")
                if len(chunk) == 256:
                    s.sendall(b"".join(chunk))
                    chunk = []
            s.sendall(b"".join(chunk))
    elif kind == "udp":
        rate = float(argv[3])
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("127.0.0.1", int(target)))
            start = time.perf_counter()
            for i, data in enumerate(batch):
                if rate and i % 100 == 0:
                    ahead = start + i / rate - time.perf_counter()
                    if ahead > 0:
                        time.sleep(ahead)
                with contextlib.suppress(ConnectionRefusedError):
                    s.send(data)
    else:
        raise SystemExit(f"unknown transport {kind}")


if __name__ == "__main__":
    main(sys.argv[1:])
