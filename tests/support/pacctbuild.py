"""Building pacct files for tests, independently of logwarden's own codec: ``struct`` and the
kernel's comp_t/comp2_t encoders, for every record version and both byte orders.

A record is given by its values (ticks, KiB, ids...); :func:`pack` lays it out as the kernel
(v2, v3) or an old kernel (v0) wrote it, or as m68k's v1 in a 64-byte slot as GNU reads it.
"""

from __future__ import annotations

import struct
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path

AFORK, ASU, ACOMPAT, ACORE, AXSIG = 0x01, 0x02, 0x04, 0x08, 0x10


def comp_t(value: int) -> int:
    """The kernel's encode_comp_t (13-bit mantissa, base-8 exponent, rounded)."""
    exponent = rounding = 0
    while value > 0x1FFF:
        rounding = value & 4
        value >>= 3
        exponent += 1
    if rounding:
        value += 1
        if value > 0x1FFF:
            value >>= 3
            exponent += 1
    return 0xFFFF if exponent > 7 else (exponent << 13) | value


def comp2_t(value: int) -> int:
    """The kernel's encode_comp2_t (v2's elapsed time)."""
    exponent = 1 if value > (0xFFFFF >> 1) else 0
    rounding = 0
    while value > 0xFFFFF:
        rounding = value & 1
        value >>= 1
        exponent += 1
    if rounding:
        value += 1
        if value > 0xFFFFF:
            value >>= 1
            exponent += 1
    if exponent > 31:
        return (1 << 24) - 1
    return (value & (0xFFFFF >> 1)) | (exponent << 19)


@dataclass
class Proc:
    """One exited process. Times are in ticks (1/100 s), memory in KiB; ``raw`` fields
    are written as they are (already encoded), overriding the computed encodings."""

    comm: bytes = b"true"
    flag: int = 0
    uid: int = 0
    gid: int = 0
    tty: int = 0
    btime: int = 1_704_103_200
    etime: float = 0
    utime: int = 0
    stime: int = 0
    mem: int = 0
    io: int = 0
    rw: int = 0
    minflt: int = 0
    majflt: int = 0
    swaps: int = 0
    exitcode: int = 0
    pid: int = 1000
    ppid: int = 1
    ahz: int = 100
    raw: dict[str, int] = field(default_factory=dict)

    def enc(self, name: str) -> int:
        """The comp_t of a field (or its raw override)."""
        return self.raw.get(name, comp_t(int(getattr(self, name))))


def pack(proc: Proc, version: int = 3, big_endian: bool = False) -> bytes:
    """One 64-byte record of ``version`` (0-3; 1 is padded to 64 bytes)."""
    e = ">" if big_endian else "<"
    order_bit = 0x80 if big_endian else 0
    if version == 3:
        return struct.pack(
            e + "BBHIIIIIIfHHHHHHHH16s",
            proc.flag, 3 | order_bit, proc.tty, proc.exitcode, proc.uid, proc.gid, proc.pid,
            proc.ppid, proc.btime, float(proc.etime), proc.enc("utime"), proc.enc("stime"),
            proc.enc("mem"), proc.enc("io"), proc.enc("rw"), proc.enc("minflt"),
            proc.enc("majflt"), proc.enc("swaps"), proc.comm[:16],
        )  # fmt: skip
    etime = int(proc.etime)
    c2 = proc.raw.get("etime2", comp2_t(etime))
    if version in (0, 2):
        return struct.pack(
            e + "BBHHHIHHHHHHHHHHI17sBHII",
            proc.flag, version | order_bit, proc.uid & 0xFFFF,
            proc.gid & 0xFFFF, proc.tty, proc.btime, proc.enc("utime"), proc.enc("stime"),
            proc.raw.get("etime16", comp_t(etime)), proc.enc("mem"), proc.enc("io"),
            proc.enc("rw"), proc.enc("minflt"), proc.enc("majflt"), proc.enc("swaps"),
            proc.ahz if version == 2 else 0, proc.exitcode, proc.comm[:16], c2 >> 16,
            c2 & 0xFFFF, proc.uid, proc.gid,
        )  # fmt: skip
    if version == 1:
        body = struct.pack(
            e + "BBHHHIHHHHHHHHHI17sBHII",
            proc.flag, 1 | order_bit, proc.uid & 0xFFFF, proc.gid & 0xFFFF, proc.tty,
            proc.btime, proc.enc("utime"), proc.enc("stime"), comp_t(etime), proc.enc("mem"),
            proc.enc("io"), proc.enc("rw"), proc.enc("minflt"), proc.enc("majflt"),
            proc.enc("swaps"), proc.exitcode, proc.comm[:16], c2 >> 16, c2 & 0xFFFF, proc.uid,
            proc.gid,
        )  # fmt: skip
        assert len(body) == 62
        return body + b"\0\0"
    raise ValueError(version)


def pack_all(procs: list[Proc], version: int = 3, big_endian: bool = False) -> bytes:
    """Records one after the other."""
    return b"".join(pack(p, version, big_endian) for p in procs)


T0 = 1_704_103_200  # 2024-01-01 10:00:00 UTC


def sample() -> list[Proc]:
    """A small, varied set: shells, forks, setuid, a core dump, a signal, long names, a
    control byte, an empty name, several ttys and users."""
    return [
        Proc(b"bash", 0, 0, 0, 136 << 8, T0, 360000, 12, 5, 9000, 0, 0, 900, 2, pid=1000),
        Proc(b"ls", 0, 1000, 1000, 136 << 8, T0 + 5, 10, 1, 1, 7500, minflt=120, pid=1001),
        Proc(b"ls", 0, 1000, 1000, 136 << 8, T0 + 10, 12, 0, 2, 7500, exitcode=256, pid=1002),
        Proc(b"sudo", ASU, 0, 0, 136 << 8, T0 + 20, 250, 3, 4, 12000, majflt=1, pid=1003),
        Proc(b"bash", AFORK, 1000, 1000, (136 << 8) | 1, T0 + 30, 50, 0, 0, 9000, pid=1004),
        Proc(b"bash", AFORK, 1000, 1000, (136 << 8) | 1, T0 + 31, 70, 1, 0, 9000, pid=1005),
        Proc(
            b"crashme",
            ACORE | AXSIG,
            1000,
            1000,
            (4 << 8) | 1,
            T0 + 100,
            123,
            40,
            2,
            4096,
            exitcode=139,
            pid=1006,
        ),
        Proc(b"sleep", AXSIG, 65534, 65534, 0, T0 + 200, 6000, exitcode=15, pid=1007),
        Proc(b"cron", AFORK | ASU, 0, 0, 0, T0 + 300, 100000, 9000, 2000, 20000, pid=1008),
        Proc(
            b"make",
            0,
            4242,
            4242,
            (136 << 8) | 2,
            T0 + 6800,
            60000,
            25000,
            5000,
            64000,
            exitcode=512,
            pid=1009,
        ),
        Proc(
            b"make", 0, 4242, 4242, (136 << 8) | 2, T0 + 10400, 30000, 12000, 2500, 64000, pid=1010
        ),
        Proc(b"a-very-long-command-name", 0, 0, 0, 0, T0 + 16800, 5, mem=1000, pid=1011),
        Proc(b"bad\x01name", 0, 0, 0, 0, T0 + 16801, 5, mem=1000, pid=1012),
        Proc(b"", 0, 0, 0, (5 << 8) | 1, T0 + 16802, 5, mem=1000, pid=1013),
        Proc(
            b"make", 0, 4242, 4242, (137 << 8) | 7, T0 + 16900, 30000, 12000, 2500, 64000, pid=1014
        ),
        Proc(b"vi", 0, 1000, 1000, (4 << 8) | 70, T0 + 17000, 300, 3, 1, 3000, pid=1015),
        Proc(b"odd", 0, 2**32 - 2, 2**31, (200 << 8) | 9, T0 + 17001, 1, pid=2**31 + 5),
    ]


def variants(proc: Proc, **changes: object) -> Proc:
    """A copy with some fields changed."""
    return replace(proc, **changes)  # type: ignore[arg-type]


def write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` and return it."""
    path.write_bytes(data)
    return path


def run_in_pid_namespace(script: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    """Run a shell script as init of a new PID namespace (with its own /proc), so that
    accounting it turns on records only its own processes and ends with it."""
    return subprocess.run(
        ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script],
        capture_output=True,
        timeout=timeout,
        check=False,
    )
