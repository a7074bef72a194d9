"""What each qmail-send line means and what to do about it.

The seed document (section 6.2, tables 16 to 19) explains the alerts, message lines,
delivery lines and warnings for an administrator. Each :class:`Explanation` keeps the seed's
own row (Chinese, as data: ``seed``) next to logwarden's English wording of it (``meaning``)
and practical advice (``action``). A line is matched by the start of its sentence after
``alert: `` or ``warning: ``.
"""

from __future__ import annotations

from dataclasses import dataclass

from logwarden.qmail.grammar import Category, Event, Kind


@dataclass(frozen=True, slots=True)
class Explanation:
    """One row of the seed's tables, explained."""

    #: Stable name, e.g. ``alert.cannot-start``.
    key: str
    category: Category
    #: The sentence's start that identifies it (after ``alert: ``/``warning: ``).
    pattern: bytes
    #: The seed's table number (16: fatal and serious, 17: message, 18: delivery,
    #: 19: warning; 0 for lines the seed does not list).
    table: int
    #: The seed's row: the message and its description, verbatim.
    seed: str
    meaning: str
    action: str


def _x(
    key: str, category: Category, pattern: bytes, table: int, seed: str, meaning: str, action: str
) -> Explanation:
    return Explanation(key, category, pattern, table, seed, meaning, action)


F, S, W = Category.FATAL, Category.SERIOUS, Category.WARNING

ALERTS: tuple[Explanation, ...] = (
    _x(
        "alert.cannot-start",
        F,
        b"cannot start",
        16,
        "alert:can not start            qmail-send不能初始化来进行启动。通常这是一个配置文件问"
        "题的征兆",
        "qmail-send could not get going at start-up; almost always a configuration problem "
        "(a control file it cannot read, the queue or home directory missing or with the wrong "
        "owner, or a second qmail-send already running).",
        "Read the rest of the line for the step that failed, check the control/ files and "
        "the queue's ownership (qmail-send must run from the qmail home as qmails), then "
        "start qmail again. No mail is delivered until it runs.",
    ),
    _x(
        "alert.lost-helper",
        F,
        b"oh no! lost",
        16,
        "alert:oh no! lost              一个支持后台的程序,例如:qmail-lspawn or qmail-rspawn已"
        "经死掉,"
        "因此qmail-send将关闭。",
        "A helper that qmail-send depends on (qmail-lspawn, qmail-rspawn or qmail-clean) "
        "died, so qmail-send shut itself down.",
        "Find out why the helper died (its own log, the kernel log for the OOM killer, "
        "resource limits), then restart qmail. Mail waits in the queue meanwhile.",
    ),
    _x(
        "alert.bounce-append",
        S,
        b"unable to append to bounce message",
        16,
        "alert: unable to append bounce message        qmail-send不能处理一个永久的发送失败,"
        "通常是没有硬盘空间了。",
        "qmail-send could not record a permanent failure in the bounce it is preparing; "
        "usually the disk holding the queue is full. It sleeps and tries again.",
        "Free space on the queue's file system (df), then watch for the alert to stop.",
    ),
    _x(
        "alert.out-of-memory",
        S,
        b"out of memory",
        16,
        "alert: out of memory                        qmail-send 试图分配内存,但是失败了",
        "qmail-send asked for memory and did not get it; it sleeps and tries again.",
        "Look at the host's memory and qmail-send's limits (ulimit, softlimit in the run "
        "script); raise them or find what is eating memory.",
    ),
    _x(
        "alert.opendir",
        S,
        b"unable to opendir",
        16,
        "alert: unable to opendir                      qmail-send不能从硬盘打开一个文件列表,"
        "因为权限不够,或描述符表已满。",
        "qmail-send could not list a queue directory: wrong permissions, or no file "
        "descriptors left.",
        "Check the queue's owners and modes (queue-fix or qmail's install check) and the "
        "open-files limit.",
    ),
    _x(
        "alert.switch-back",
        S,
        b"unable to switch back",
        16,
        "alert: unable to switch back                   qmail-send收到一个sighup信号,但不能读"
        "队列目录。",
        "After a HUP, qmail-send could not return to its queue directory.",
        "Check that the queue directory exists and is reachable by qmails; restart qmail if "
        "the alert repeats.",
    ),
    _x(
        "alert.reread",
        S,
        b"unable to reread",
        16,
        "alert: unable to reread                        qmail-send收到一个sighup信号,但不能读"
        "控制目录。",
        "After a HUP, qmail-send could not read its control files again (locals, "
        "virtualdomains); it keeps running with the old ones.",
        "Check the control files' permissions and syntax, then send HUP again.",
    ),
)

WARNINGS: tuple[Explanation, ...] = (
    _x(
        "warning.report-range",
        W,
        b"internal error: delivery report out of range",
        19,
        "internal error: delivery report out of range   qmail-lspawn或qmail-rspawn为一个不存在的"
        "发送项ID返回了一个发送报告。",
        "qmail-lspawn or qmail-rspawn sent back a report for a delivery number that does not "
        "exist.",
        "A bug or a mismatched qmail build; make sure all qmail programs come from one build.",
    ),
    _x(
        "warning.clean",
        W,
        b"qmail-clean unable to clean up",
        19,
        "qmail-clean unable to clean up            qmail-clean不能删除一个文件。",
        "qmail-clean could not remove a queue file.",
        "Check the queue's permissions; the file is retried later.",
    ),
    _x(
        "warning.fsync",
        W,
        b"trouble fsyncing",
        19,
        "trouble fsyncing                        qmail-send不能重写磁盘。",
        "qmail-send could not force a queue file to disk.",
        "Look at the disk and file system holding the queue (kernel log, SMART).",
    ),
    _x(
        "warning.select",
        W,
        b"trouble in select",
        19,
        "trouble in select                        一个可能的操作系统错误。",
        "select() failed: probably a problem in the operating system.",
        "Check the kernel log; restart qmail if it repeats.",
    ),
    _x(
        "warning.inject-bounce",
        W,
        b"trouble injecting bounce message",
        19,
        "trouble injecting bounce message          qmail-send不能排队一个返回消息。",
        "qmail-send could not queue a bounce message; it will try later.",
        "Check disk space and qmail-queue (permissions, a broken QMAILQUEUE filter).",
    ),
    _x(
        "warning.marking",
        W,
        b"trouble marking",
        19,
        "trouble marking                        qmail-send不能记录一次发送不成功的结果。",
        "qmail-send could not record that a delivery was done, so the recipient may get the "
        "message twice.",
        "Check disk space and the queue's permissions.",
    ),
    _x(
        "warning.opening",
        W,
        b"trouble opening",
        19,
        "trouble opening                         qmail-send不能打开本地和远程接收者的列表。",
        "qmail-send could not open a message's list of local or remote recipients.",
        "Check the queue's permissions; the message is retried later.",
    ),
    _x(
        "warning.reading",
        W,
        b"trouble reading",
        19,
        "trouble reading                         qmail-send不能读收者的列表。",
        "qmail-send could not read a message's list of recipients.",
        "Check the queue's files and the disk.",
    ),
    _x(
        "warning.writing",
        W,
        b"trouble writing to",
        19,
        "trouble writing to                       qmail-send不能处理一条列表中的消息。",
        "qmail-send could not write a queue file while processing a message.",
        "Check disk space and the queue's permissions.",
    ),
    _x(
        "warning.create",
        W,
        b"unable to create",
        19,
        "trouble to create                        qmail-send不能处理一条列表中的消息。",
        "qmail-send could not create a queue file while processing a message.",
        "Check disk space, free inodes and the queue's permissions.",
    ),
    _x(
        "warning.open",
        W,
        b"unable to open",
        19,
        "unable to open                         qmail-send不能读一条排队消息中的信件头。",
        "qmail-send could not open a queued message to read its header.",
        "Check the queue's files and permissions.",
    ),
    _x(
        "warning.start-queue",
        W,
        b"unable to start qmail-queue",
        19,
        "unable to start qmail-queue               qmail-queue qmail-send不能排队一条返回消息。",
        "qmail-send could not run qmail-queue to queue a bounce; it will try later.",
        "Check qmail-queue's permissions and process limits.",
    ),
    _x(
        "warning.stat",
        W,
        b"unable to stat",
        19,
        "unable to stat                          qmail-send不能得到有关一个文件的消息。",
        "qmail-send could not get information about a queue file.",
        "Check the queue's files; a file missing from the queue may need queue-fix.",
    ),
    _x(
        "warning.unlink",
        W,
        b"unable to unlink",
        19,
        "unable to unlink                        qmail-send不能删除一个文件。",
        "qmail-send could not delete a queue file.",
        "Check the queue's permissions.",
    ),
    _x(
        "warning.utime",
        W,
        b"unable to utime",
        19,
        "unable to utime                         qmail-send不能纪录下一次调度发送时间。",
        "qmail-send could not record when to retry a message, so it will be retried too soon.",
        "Check the queue's permissions and the disk.",
    ),
    _x(
        "warning.record-type",
        W,
        b"unknown record type in",
        19,
        "unknown record type in                  qmail-send或qmail-queue中的一个严重的错误。",
        "A queue file holds a record qmail-send does not know: a serious bug in qmail-send or "
        "qmail-queue, or a damaged queue.",
        "Keep a copy of the file it names and check the queue with queue-fix.",
    ),
)

#: Table 17 (messages) and 18 (deliveries), and the status line (section 6.2.3).
LINES: dict[Kind, Explanation] = {
    Kind(e.key.split(".", 1)[1]): e
    for e in (
        _x(
            "line.status",
            Category.STATUS,
            b"",
            0,
            "status:local n/L  remote r/R   其中n/L为队列中的本地消息数量(n) 以及本地邮件队列"
            "的大小(L)。"
            "r/R是队列中的远程消息的数量(r)以及远程邮件队列的大小。",
            "Deliveries in progress, local n of at most L, remote r of at most R.",
            "If n reaches L (or r reaches R) often, raise concurrencylocal (concurrencyremote).",
        ),
        _x(
            "line.new",
            Category.MESSAGE,
            b"",
            17,
            "new msg m                             qmail-send正在处理邮件队列中的消息号为m",
            "qmail-send took message m from the queue for processing.",
            "",
        ),
        _x(
            "line.info",
            Category.MESSAGE,
            b"",
            17,
            "info msg m: bytes b from <s> qp q uid u      消息m包含了b个字节,来自发送者s,"
            "被用户ID u排队,队列标识符为q。",
            "Message m has b bytes, comes from sender s, was queued by uid u; q identifies "
            "the queueing process.",
            "",
        ),
        _x(
            "line.bounce",
            Category.MESSAGE,
            b"",
            17,
            "bounce msg m qp q                       消息m发送失败。返回消息的队列标识符为q。",
            "Delivery of message m failed for some recipient; the bounce was queued as q.",
            "",
        ),
        _x(
            "line.triple bounce",
            Category.MESSAGE,
            b"",
            17,
            "triple bounce: discarding m                 消息m被标识成不能发送的两次返回消息,"
            "将被删除。",
            "Message m was a bounce of a bounce that could not be delivered; it is thrown away.",
            "Check doublebounceto: the postmaster is not getting double bounces.",
        ),
        _x(
            "line.end",
            Category.MESSAGE,
            b"",
            17,
            "end msg m                              消息m正被从队列中除去。",
            "Message m is done and leaves the queue.",
            "",
        ),
        _x(
            "line.starting",
            Category.DELIVERY,
            b"",
            18,
            "starting delivery d: msg m to         qmail-send正在处理一个发送消息m,发送ID为d。",
            "qmail-send starts delivery attempt d of message m to one recipient.",
            "",
        ),
        _x(
            "line.delivery",
            Category.DELIVERY,
            b"",
            18,
            "delivery d: success / deferral / failure / report mangled will defer   "
            "发送项d被成功的发送给接收方。/ 发送项d遇到一个暂时的发送失败,将重试。/ "
            "发送项d遇到一个永久失败,消息将返回。/ 发送项d在qmail-rspawn 或qmail-lspawn中遇到"
            "问题,将重试。",
            "Delivery attempt d ended: success (delivered), deferral (a temporary problem; "
            "retried later), failure (permanent; the sender gets a bounce), or report mangled "
            "(the spawn program's report was unreadable; retried).",
            "",
        ),
    )
}


def explain(event: Event) -> Explanation | None:
    """The explanation of an alert or warning (None for one the seed does not list)."""
    if event.kind is Kind.ALERT:
        table = ALERTS
    elif event.kind is Kind.WARNING:
        table = WARNINGS
    else:
        return LINES.get(event.kind)
    sentence = event.report or b""
    for entry in table:
        if sentence.startswith(entry.pattern):
            return entry
    return None


def unlisted(event: Event) -> Explanation:
    """A generic explanation for an alert or warning the seed's tables do not list."""
    if event.kind is Kind.ALERT:
        return _x("alert.other", event.category, b"", 0, "",
                  "An alert the seed's tables do not list (a patched or newer qmail-send).",
                  "Read the sentence; alerts mean qmail-send is stuck or has stopped.")  # fmt: skip
    return _x("warning.other", Category.WARNING, b"", 0, "",
              "A warning the seed's tables do not list (a patched or newer qmail-send).",
              "Read the sentence; a warning that repeats often deserves a look.")  # fmt: skip
