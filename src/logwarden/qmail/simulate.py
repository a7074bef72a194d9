"""A qmail-send log of a busy host, made up from a seed: realistic enough to exercise every
analysis, and as large as wanted.

What it models, after qmail-send (qmail 1.03):

- messages arrive around the clock (busier by day), from local users and over SMTP, with
  1 recipient mostly and sometimes a mailing-list burst of hundreds; message numbers are
  inode numbers, reused as soon as a message leaves the queue;
- local and remote deliveries run under concurrencylocal / concurrencyremote: a burst fills
  the remote side and the status lines show it;
- each remote domain behaves in its own way: most accept, some greylist (first attempt
  deferred), some are down for hours, some have mailboxes that defer and then bounce, some
  reject unknown users; local mailboxes are occasionally missing or unreadable;
- deferred recipients are retried on qmail's schedule (birth + (isqrt(age) + chanskip)^2,
  chanskip 10 local / 20 remote); after queuelifetime a deferral becomes a failure;
- a failed message gets a bounce (``bounce msg M qp Q``, a new message from ``<>``); a bounce
  that fails becomes a double bounce to the postmaster (from ``<#@[]>``); a double bounce
  that fails is discarded (``triple bounce: discarding bounce/M``);
- qmail-send restarts now and then (``exitasap``, ``status: exiting``): delivery numbers
  start again at 1; rarely a report is mangled, a warning or an alert is logged.

Lines are written as multilog writes them (``@tai64n``), as splogger leaves them in syslog
(``Mmm dd hh:mm:ss host qmail: sec.usec ...``, lines over 799 characters split into ``+``
pieces), or bare (``sec.usec ...``). The same seed gives the same log, byte for byte.
"""

from __future__ import annotations

import heapq
import math
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from logwarden.formats.tai64 import TAI64_OFFSET

#: Seconds after which qmail-send gives up on a message (control/queuelifetime).
QUEUE_LIFETIME = 604800
#: qmail-send's retry spacing per channel (local, remote).
CHANSKIP = (10, 20)
USEC = 1_000_000


@dataclass
class Settings:
    """What to simulate."""

    seed: int = 1
    #: Unix time of the first line.
    start: int = 1_795_000_000
    #: Stop after this many bytes of log (or messages, or seconds), whichever comes first.
    max_bytes: int | None = None
    max_messages: int | None = None
    max_seconds: int | None = None
    #: Average new messages per second (the day's peak is about twice this).
    rate: float = 2.0
    local_limit: int = 10
    remote_limit: int = 20
    queue_lifetime: int = QUEUE_LIFETIME
    #: Mean hours between qmail-send restarts (0: never).
    restart_hours: float = 6.0
    #: Mean minutes between warnings or alerts.
    trouble_minutes: float = 30.0
    style: str = "multilog"
    host: str = "mail"


@dataclass
class Recipient:
    address: str
    remote: bool
    done: bool = False
    failed: bool = False
    attempts: int = 0
    #: Waiting in a ready queue, or being delivered.
    queued: bool = False
    busy: bool = False


@dataclass
class Message:
    number: int
    birth_us: int
    size: int
    sender: str
    qp: int
    uid: int
    recipients: list[Recipient]
    report: list[str] = field(default_factory=list)


_LOCAL_DOMAIN = "example.com"
_REMOTE_KINDS = ("good", "good", "good", "good", "good", "good", "greylist", "slow", "down",
                 "full", "strict")  # fmt: skip
_UID_QMAILD, _UID_QMAILS = 1002, 1006


class _Writer:
    """Stamps lines in the chosen style and counts bytes."""

    def __init__(self, settings: Settings, sink: Callable[[bytes], None]) -> None:
        self.style = settings.style
        self.host = settings.host.encode()
        self.sink = sink
        self.bytes = 0
        self.last_us = 0
        self.buffer: list[bytes] = []
        self.buffered = 0

    def line(self, t_us: int, text: str) -> None:
        # qmail-send writes one line at a time; the logger's clock never goes backwards.
        t_us = max(t_us, self.last_us + 7)
        self.last_us = t_us
        sec, usec = divmod(t_us, USEC)
        body = text.encode()
        if self.style == "multilog":
            out = b"@%016x%08x %s\n" % (sec + TAI64_OFFSET, usec * 1000 + 500, body)
        elif self.style == "unix":
            out = b"%d.%06d %s\n" % (sec, usec, body)
        else:
            out = self._syslog(sec, usec, body)
        self.buffer.append(out)
        self.buffered += len(out)
        if self.buffered >= 1 << 20:
            self.flush()

    def _syslog(self, sec: int, usec: int, body: bytes) -> bytes:
        t = time.localtime(sec)
        month = time.strftime("%b", t).encode()
        clock = (t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
        head = b"%s %2d %02d:%02d:%02d %s qmail: " % (month, *clock, self.host)
        stamp = b"%d.%06d" % (sec, usec)
        # splogger: the stamp and a space, then at most 799 bytes in all per piece.
        pieces = []
        first = stamp + b" " + body
        pieces.append(head + first[:799] + b"\n")
        rest = first[799:]
        while rest:
            piece = stamp + b"+" + rest
            pieces.append(head + piece[:799] + b"\n")
            rest = piece[799:]
        return b"".join(pieces)

    def flush(self) -> None:
        data = b"".join(self.buffer)
        self.buffer.clear()
        self.buffered = 0
        self.bytes += len(data)
        if data:
            self.sink(data)


def _zipf_pool(rng: random.Random, names: list[str], skew: float) -> Callable[[], str]:
    weights = [1.0 / (i + 1) ** skew for i in range(len(names))]
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    import bisect

    def pick() -> str:
        return names[bisect.bisect_left(cumulative, rng.random() * total)]

    return pick


class Simulator:
    """One simulated host; :meth:`run` writes the log through ``sink``."""

    def __init__(self, settings: Settings, sink: Callable[[bytes], None]) -> None:
        self.s = settings
        self.rng = random.Random(settings.seed)
        self.out = _Writer(settings, sink)
        self.events: list[tuple[int, int, str, object]] = []
        self.seq = 0
        self.messages: dict[int, Message] = {}
        self.free_inodes: list[int] = []
        self.next_inode = 163000 + self.rng.randrange(1000)
        self.next_pid = 300 + self.rng.randrange(3000)
        self.delivery = 0
        self.busy = [0, 0]
        self.ready: tuple[deque[tuple[int, int]], deque[tuple[int, int]]] = (deque(), deque())
        self.running = True
        self.made = 0
        #: Bumped when qmail-send dies: results of deliveries it started are never logged.
        self.epoch = 0
        rng = self.rng
        self.domains = [f"{w}{i}.{tld}" for i, (w, tld) in enumerate(
            (rng.choice(("mx", "mail", "post", "corp", "shop", "list", "news", "uni")),
             rng.choice(("com", "net", "org", "de", "fr", "jp", "co.uk", "nl")))
            for _ in range(400))]  # fmt: skip
        self.kind = {d: rng.choice(_REMOTE_KINDS) for d in self.domains}
        self.ip = {d: f"{rng.randrange(11, 223)}.{rng.randrange(256)}.{rng.randrange(256)}."
                   f"{rng.randrange(1, 255)}" for d in self.domains}  # fmt: skip
        self.down_until: dict[str, int] = {}
        users = [f"user{i}" for i in range(300)]
        self.local_users = users
        self.pick_user = _zipf_pool(rng, users, 1.1)
        self.pick_domain = _zipf_pool(rng, self.domains, 1.2)
        self.pick_sender = _zipf_pool(
            rng, [f"{rng.choice(('info', 'news', 'noreply', 'bob', 'ann', 'sales'))}{i}@"
                  f"{rng.choice(self.domains)}" for i in range(2000)], 1.05)  # fmt: skip

    # -- the event queue --

    def _at(self, t_us: int, kind: str, payload: object = None) -> None:
        self.seq += 1
        heapq.heappush(self.events, (t_us, self.seq, kind, payload))

    def _log(self, t_us: int, text: str) -> None:
        self.out.line(t_us, text)

    def _status(self, t_us: int, suffix: str = "") -> None:
        self._log(t_us, f"status: local {self.busy[0]}/{self.s.local_limit} "
                        f"remote {self.busy[1]}/{self.s.remote_limit}{suffix}")  # fmt: skip

    def _done(self) -> bool:
        s = self.s
        if s.max_bytes is not None and self.out.bytes + self.out.buffered >= s.max_bytes:
            return True
        return bool(s.max_messages is not None and self.made >= s.max_messages)

    def run(self) -> int:
        """Simulate until a limit is reached; return the bytes written."""
        s = self.s
        t0 = s.start * USEC
        end = t0 + s.max_seconds * USEC if s.max_seconds is not None else None
        self._status(t0)
        self._at(t0 + self._gap(t0), "arrive")
        if s.restart_hours > 0:
            self._at(t0 + int(self.rng.expovariate(1 / (s.restart_hours * 3600)) * USEC), "stop")
        self._at(t0 + self._trouble_gap(), "trouble")
        while self.events:
            t, _, kind, payload = heapq.heappop(self.events)
            if end is not None and t >= end:
                break
            if self._done():
                break
            getattr(self, "_on_" + kind)(t, payload)
        self.out.flush()
        return self.out.bytes

    def _gap(self, t_us: int) -> int:
        # A day's cycle: quiet at night, busy in the afternoon.
        hour = (t_us // USEC % 86400) / 3600
        load = 1.0 + 0.8 * math.sin((hour - 9) / 24 * 2 * math.pi)
        return max(1, int(self.rng.expovariate(self.s.rate * load) * USEC))

    # -- messages --

    def _inode(self) -> int:
        if self.free_inodes and self.rng.random() < 0.9:
            return self.free_inodes.pop(self.rng.randrange(len(self.free_inodes)))
        self.next_inode += self.rng.randrange(1, 40)
        return self.next_inode

    def _pid(self) -> int:
        self.next_pid += self.rng.randrange(1, 9)
        if self.next_pid > 32767:
            self.next_pid = 300 + self.next_pid % 300
        return self.next_pid

    def _on_arrive(self, t: int, payload: object) -> None:
        self._at(t + self._gap(t), "arrive")
        rng = self.rng
        local_sender = rng.random() < 0.25
        if local_sender:
            user = self.pick_user()
            sender, uid = f"{user}@{_LOCAL_DOMAIN}", 1010 + self.local_users.index(user)
        else:
            sender, uid = self.pick_sender(), _UID_QMAILD
        count = 1
        roll = rng.random()
        if roll < 0.002:
            count = rng.randrange(100, 600)
        elif roll < 0.15:
            count = rng.randrange(2, 6)
        recipients = []
        for _ in range(count):
            if local_sender or rng.random() < 0.35:
                recipients.append(Recipient(f"{self.pick_user()}@{self.pick_domain()}", True))
            else:
                recipients.append(Recipient(f"{_LOCAL_DOMAIN}-{self.pick_user()}@{_LOCAL_DOMAIN}",
                                            False))  # fmt: skip
        size = int(rng.lognormvariate(8.3, 1.2)) + 400
        self._inject(t, sender, uid, self._pid(), size, recipients)

    def _inject(self, t: int, sender: str, uid: int, qp: int, size: int,
                recipients: list[Recipient]) -> None:  # fmt: skip
        m = self._inode()
        while m in self.messages:
            m = self._inode()
        msg = Message(m, t, size, sender, qp, uid, recipients)
        self.messages[m] = msg
        self.made += 1
        self._log(t, f"new msg {m}")
        self._log(t + 15, f"info msg {m}: bytes {size} from <{sender}> qp {qp} uid {uid}")
        for i in range(len(recipients)):
            self._enqueue(msg, i)
        self._start(t + 40)

    def _enqueue(self, msg: Message, i: int) -> None:
        r = msg.recipients[i]
        if not (r.done or r.queued or r.busy):
            r.queued = True
            self.ready[1 if r.remote else 0].append((msg.number, i))

    def _start(self, t: int) -> None:
        if not self.running:
            return
        for channel, limit in ((0, self.s.local_limit), (1, self.s.remote_limit)):
            queue = self.ready[channel]
            while queue and self.busy[channel] < limit:
                m, i = queue.popleft()
                msg = self.messages.get(m)
                if msg is None:
                    continue
                r = msg.recipients[i]
                r.queued = False
                if r.done or r.busy:
                    continue
                self.delivery += 1
                self.busy[channel] += 1
                r.busy = True
                r.attempts += 1
                where = "remote" if channel else "local"
                self._log(t, f"starting delivery {self.delivery}: msg {m} to {where} {r.address}")
                self._status(t + 20)
                self._at(
                    t + self._duration(channel, r), "result", (self.delivery, m, i, self.epoch)
                )
                t += 30

    def _duration(self, channel: int, r: Recipient) -> int:
        if channel == 0:
            return int(self.rng.lognormvariate(-3.5, 1.0) * USEC) + 800
        domain = r.address.rsplit("@", 1)[1]
        base = 1.5 if self.kind.get(domain) == "slow" else -0.7
        return int(self.rng.lognormvariate(base, 0.9) * USEC) + 20000

    # -- results --

    def _on_result(self, t: int, payload: object) -> None:
        d, m, i, epoch = cast(tuple[int, int, int, int], payload)
        if epoch != self.epoch:
            # qmail-send died meanwhile; the delivery is retried after it restarts.
            return
        msg = self.messages[m]
        r = msg.recipients[i]
        r.busy = False
        channel = 1 if r.remote else 0
        outcome, report = self._outcome(t, msg, r)
        if outcome == "deferral" and (t - msg.birth_us) // USEC > self.s.queue_lifetime:
            outcome = "failure"
            report += ("I'm_not_going_to_try_again;_this_message_has_been_in_the_queue_too_"
                       "long./")  # fmt: skip
        self.busy[channel] -= 1
        if outcome == "mangled":
            self._log(t, f"delivery {d}: report mangled, will defer")
        else:
            self._log(t, f"delivery {d}: {outcome}: {report}")
        self._status(t + 25, "" if self.running else " exitasap")
        if outcome == "success":
            r.done = True
        elif outcome == "failure":
            r.done = r.failed = True
            msg.report.append(report)
        else:
            self._at(self._retry_at(t, msg, channel), "retry", (msg, i))
        if all(x.done for x in msg.recipients):
            self._finish(t + 60, msg)
        if self.running:
            self._start(t + 90)
        elif self.busy == [0, 0]:
            self._at(t + 5000, "exit")

    def _retry_at(self, t: int, msg: Message, channel: int) -> int:
        age = (t - msg.birth_us) // USEC
        n = math.isqrt(age) + CHANSKIP[channel]
        return max(msg.birth_us + n * n * USEC, t + USEC)

    def _on_retry(self, t: int, payload: object) -> None:
        msg, i = cast(tuple[Message, int], payload)
        # The message may be gone (it bounced, or qmail-send rescanned it after a restart
        # and finished it); its inode may even be another message's by now.
        if self.messages.get(msg.number) is not msg:
            return
        self._enqueue(msg, i)
        self._start(t)

    def _outcome(self, t: int, msg: Message, r: Recipient) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.0005:
            return "mangled", ""
        user, domain = r.address.rsplit("@", 1)
        if not r.remote:
            # A doublebounceto that names a mailbox nobody created: double bounces fail.
            double = msg.sender == "#@[]" and rng.random() < 0.3
            if double or user.endswith("user299"):
                return "failure", "Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/"
            if rng.random() < 0.01:
                return "deferral", "Unable_to_chdir_to_maildir._(#4.2.1)/"
            forwarded = f"did_0+1+0/qp_{self._pid()}/"
            return "success", rng.choice(("did_0+0+1/", "did_1+0+0/", forwarded))
        kind = self.kind.get(domain, "good")
        ip = self.ip.get(domain, "192.0.2.1")
        said = "Remote_host_said:"
        if kind == "down":
            until = self.down_until.get(domain, 0)
            if until < t and rng.random() < 0.02:
                until = self.down_until[domain] = t + int(rng.uniform(1, 12) * 3600 * USEC)
            if until > t:
                return "deferral", "Sorry,_I_wasn't_able_to_establish_an_SMTP_connection._(#4.4.1)/"
        if kind == "greylist" and r.attempts == 1:
            return "deferral", (f"{ip}_does_not_like_recipient./{said}_451_4.7.1_Greylisted,"
                                f"_please_try_again_later/Giving_up_on_{ip}./")  # fmt: skip
        if kind == "full" and user.startswith("user1"):
            if r.attempts < 4:
                return "deferral", (f"{ip}_does_not_like_recipient./{said}_452_4.2.2_Mailbox_"
                                    f"full/Giving_up_on_{ip}./")  # fmt: skip
            return "failure", (f"{ip}_does_not_like_recipient./{said}_552_5.2.2_Mailbox_full,_"
                               f"giving_up/Giving_up_on_{ip}./")  # fmt: skip
        if kind == "strict" and rng.random() < 0.02:
            # A multi-line SMTP reply, kept whole by qmail-remote: one very long line.
            policy = "_".join(rng.choice(("Your", "message", "was", "rejected", "by", "policy",
                                          "see", "https://postmaster.example/why"))
                              for _ in range(12))  # fmt: skip
            reply = "/".join(f"550-5.7.1_{policy}" for _ in range(8)) + "/550_5.7.1_Rejected"
            return "failure", f"{ip}_does_not_like_recipient./{said}_{reply}/Giving_up_on_{ip}./"
        if kind == "strict" and rng.random() < 0.2:
            unknown = f"550_5.1.1_<{r.address}>:_Recipient_address_rejected:_User_unknown"
            return "failure", f"{ip}_does_not_like_recipient./{said}_{unknown}/Giving_up_on_{ip}./"
        if rng.random() < 0.003:
            return "failure", f"Sorry,_I_couldn't_find_any_host_named_{domain}._(#5.1.2)/"
        if rng.random() < 0.004:
            return "deferral", f"Connected_to_{ip}_but_connection_died._(#4.4.2)/"
        return "success", (f"{ip}_accepted_message./{said}_250_2.0.0_Ok:_queued_as_"
                           f"{rng.getrandbits(40):010X}/")  # fmt: skip

    def _finish(self, t: int, msg: Message) -> None:
        failed = [r for r in msg.recipients if r.failed]
        if failed:
            if msg.sender == "#@[]":
                self._log(t, f"triple bounce: discarding bounce/{msg.number}")
            else:
                qp = self._pid()
                self._log(t, f"bounce msg {msg.number} qp {qp}")
                double = msg.sender == ""
                to = f"{_LOCAL_DOMAIN}-postmaster@{_LOCAL_DOMAIN}" if double else msg.sender
                sender = "#@[]" if double else ""
                remote = not to.endswith("@" + _LOCAL_DOMAIN)
                size = msg.size + 600 + sum(len(x) for x in msg.report)
                self._at(t + 3000, "bounce", (sender, qp, size, to, remote))
        self._log(t + 20, f"end msg {msg.number}")
        del self.messages[msg.number]
        self.free_inodes.append(msg.number)

    def _on_bounce(self, t: int, payload: object) -> None:
        sender, qp, size, to, remote = cast(tuple[str, int, int, str, bool], payload)
        self._inject(t, sender, _UID_QMAILS, qp, size, [Recipient(to, remote)])

    # -- restarts and trouble --

    def _on_stop(self, t: int, payload: object) -> None:
        self.running = False
        self._status(t, " exitasap")
        if self.busy == [0, 0]:
            self._at(t + 5000, "exit")

    def _on_exit(self, t: int, payload: object) -> None:
        if self.running:
            return
        self._log(t, "status: exiting")
        self._at(t + int(self.rng.uniform(2, 40) * USEC), "boot")

    def _on_boot(self, t: int, payload: object) -> None:
        self.running = True
        self.delivery = 0
        self._status(t)
        # qmail-send rescans its queue: everything not done is ready again.
        for queue in self.ready:
            queue.clear()
        for msg in self.messages.values():
            for i, r in enumerate(msg.recipients):
                r.queued = r.busy = False
                self._enqueue(msg, i)
        self._start(t + 500)
        if self.s.restart_hours > 0:
            gap = self.rng.expovariate(1 / (self.s.restart_hours * 3600))
            self._at(t + int(gap * USEC), "stop")

    def _trouble_gap(self) -> int:
        return int(self.rng.expovariate(1 / (self.s.trouble_minutes * 60)) * USEC) + 1

    def _on_trouble(self, t: int, payload: object) -> None:
        rng = self.rng
        self._at(t + self._trouble_gap(), "trouble")
        roll = rng.random()
        m = rng.choice(list(self.messages) or [self.next_inode])
        part = rng.randrange(23)
        if roll < 0.55:
            self._log(t, f"warning: unable to stat mess/{part}/{m}; will try again later")
        elif roll < 0.75:
            self._log(t, f"warning: trouble marking local/{part}/{m}; message will be "
                         "delivered twice!")  # fmt: skip
        elif roll < 0.85:
            self._log(t, "warning: trouble injecting bounce message, will try later")
        elif roll < 0.95:
            self._log(t, "alert: unable to opendir todo, sleeping...")
        elif self.running:
            # A dying spawn program takes qmail-send down; supervise starts it again.
            self._log(t, "alert: oh no! lost spawn connection! dying...")
            self.running = False
            self.busy = [0, 0]
            self.epoch += 1
            self._at(t + int(rng.uniform(1, 5) * USEC), "boot")


def simulate(settings: Settings, sink: Callable[[bytes], None]) -> int:
    """Write a simulated log through ``sink``; return its size in bytes."""
    return Simulator(settings, sink).run()


def simulated_bytes(settings: Settings) -> bytes:
    """A simulated log in memory (for tests and small logs)."""
    parts: list[bytes] = []
    simulate(settings, parts.append)
    return b"".join(parts)
