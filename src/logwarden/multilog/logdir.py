"""A multilog log directory: the files in it, and every step that changes them.

The layout is daemontools' (0.76), file for file and mode for mode:

=================  =========================================================================
``current``        the file being written: mode 0644 while multilog runs, 0744 after a clean
                   exit (the owner-execute bit means "complete")
``@<tai64n>.s``    a finished file, safely written; named by the moment it was finished
``@<tai64n>.u``    a file that was being written when multilog crashed
``state``          the processor's state (its descriptor 4)
``lock``           held (flock) by the running multilog
``previous``       a finished ``current`` waiting for the processor
``processed``      the processor's output (0744 once complete)
``newstate``       the processor's new state (its descriptor 5)
``inflight``       logwarden only, while reading a pipe: see ``inflight``
=================  =========================================================================

Beyond daemontools, the directory itself is fsynced whenever a name is created or changed
(daemontools syncs file contents only, so a power failure could lose the new ``current``'s
name), and an input that is still in the pipe is written exactly once after a crash.

A rotation is a fixed sequence of steps; each has a name, and a crash drill (the environment
variable ``LOGWARDEN_MULTILOG_STOP``) makes multilog stop itself with SIGSTOP before the named
steps, so that an administrator can kill it there and watch the next start recover.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
import time
from collections.abc import Callable

from logwarden.formats.tai64 import LABEL_LENGTH, label_for_unix_ns
from logwarden.multilog import processor
from logwarden.multilog.djb import PAUSE_SECONDS, Complaints, retry
from logwarden.multilog.inflight import Inflight, Record, digest
from logwarden.multilog.script import DirSpec

_APPEND = os.O_WRONLY | os.O_NONBLOCK | os.O_APPEND | os.O_CREAT
_TRUNC = os.O_WRONLY | os.O_NONBLOCK | os.O_TRUNC | os.O_CREAT

#: The steps of a rotation, in order (processor steps only with a processor).
ROTATION_STEPS = (
    "sync-current",
    "rename-current",
    "create-current",
    "chmod-previous",
    "run-processor",
    "sync-processed",
    "sync-newstate",
    "remove-previous",
    "rename-newstate",
    "link-finished",
    "remove-finished",
    "prune",
    "sync-directory",
)
#: Outside rotations: lines are in ``current``, their input not yet taken from the pipe.
CONSUME_STEP = "consume-input"
#: Every step a crash drill can stop before.
DRILL_STEPS = (*ROTATION_STEPS, CONSUME_STEP)
#: Environment variable naming the steps to stop before (comma-separated, or ``all``).
DRILL_VARIABLE = "LOGWARDEN_MULTILOG_STOP"


class Drill:
    """Stops the process (SIGSTOP) before chosen rotation steps: a crash drill."""

    def __init__(self, complaints: Complaints, steps: str | None) -> None:
        self.complaints = complaints
        wanted = {s.strip() for s in (steps or "").split(",") if s.strip()}
        self.steps = set(DRILL_STEPS) if "all" in wanted else wanted

    def before(self, step: str, directory: str) -> None:
        """Announce the step on stderr and stop, if the drill asks for it."""
        if step in self.steps:
            self.complaints.note(f"drill: stopped before {step} in {directory}")
            os.kill(os.getpid(), signal.SIGSTOP)


class Background:
    """One job (a directory sync) run by a worker thread, waited for when it matters.

    The thread is started once and reused, so a rotation costs no thread start.
    """

    def __init__(self, job: Callable[[], None]) -> None:
        self.job = job
        self.wanted = threading.Event()
        self.done = threading.Event()
        self.done.set()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        """Run the job again, in the background."""
        if self.thread is None:
            self.thread = threading.Thread(target=self._work, daemon=True)
            self.thread.start()
        self.done.clear()
        self.wanted.set()

    def wait(self) -> None:
        """Until the last run of the job is over."""
        self.done.wait()

    def _work(self) -> None:
        while True:
            self.wanted.wait()
            self.wanted.clear()
            try:
                self.job()
            finally:
                self.done.set()


class LogDir:
    """One log directory, opened and locked, with ``current`` ready for appending."""

    def __init__(self, spec: DirSpec, complaints: Complaints, drill: Drill) -> None:
        self.spec = spec
        self.path = spec.path
        self.size = spec.size
        self.complaints = complaints
        self.drill = drill
        self.fd = -1
        self.current = -1
        self.current_inode = 0
        #: Bytes in ``current`` (daemontools' ``d->bytes``).
        self.filled = 0
        self.inflight: Inflight | None = None
        self.lock = -1
        #: The directory sync that ends a rotation, running while writing goes on.
        self.syncing = Background(self._sync_directory)

    # -- start -------------------------------------------------------------------------

    def open(self, pipe_head: Callable[[int], bytes] | None) -> None:
        """Create, lock and recover the directory (multilog's ``restart``).

        ``pipe_head(n)`` shows the first ``n`` bytes waiting in the input pipe, when the
        input is a pipe: then an in-flight record left by a crash is honoured.
        Raises Fatal as the reference dies (before reading any input).
        """
        c = self.complaints
        with contextlib.suppress(OSError):  # it exists, or the open below says what is wrong
            os.mkdir(self.path, 0o700)
        try:
            self.fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_DIRECTORY)
        except OSError as e:
            raise c.fatal(f"unable to open directory {self.path}: ", e) from None
        try:
            lock = os.open("lock", _APPEND, 0o600, dir_fd=self.fd)
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            raise c.fatal(f"unable to lock directory {self.path}: ", e) from None
        self.lock = lock
        if pipe_head is not None:
            self.inflight = Inflight(self.fd)
            self._undo_unconsumed(pipe_head)
        try:
            st = os.stat("current", dir_fd=self.fd, follow_symlinks=True)
        except FileNotFoundError:
            st = None
        except OSError as e:
            raise c.fatal(f"unable to stat {self.path}/current: ", e) from None
        if st is not None and st.st_mode & 0o100:
            self.current = self._open_current("unable to append to ")
            self.filled = st.st_size
            return
        self._recover()

    def _open_current(self, verb: str) -> int:
        c = self.complaints
        try:
            fd = os.open("current", _APPEND, 0o600, dir_fd=self.fd)
        except OSError as e:
            raise c.fatal(f"{verb}{self.path}/current: ", e) from None
        try:
            os.fchmod(fd, 0o644)
        except OSError as e:
            raise c.fatal(f"unable to set mode of {self.path}/current: ", e) from None
        self.current_inode = os.fstat(fd).st_ino
        return fd

    def _recover(self) -> None:
        """After a crash: keep every finished byte, mark what was unfinished ``.u``."""
        for name in ("state", "newstate"):
            self._unlink_quietly(name)
        try:
            processed = os.stat("processed", dir_fd=self.fd)
        except FileNotFoundError:
            processed = None
        except OSError as e:
            raise self.complaints.fatal(f"unable to stat {self.path}/processed: ", e) from None
        if processed is not None and processed.st_mode & 0o100:
            self._unlink_quietly("previous")
            self.finish("processed", "s")
        else:
            self._unlink_quietly("processed")
            self.finish("previous", "u")
        self.finish("current", "u")
        try:
            os.close(os.open("state", _TRUNC, 0o644, dir_fd=self.fd))
        except OSError as e:
            raise self.complaints.fatal(f"unable to write to {self.path}/state: ", e) from None
        self.current = self._open_current("unable to write to ")
        self.filled = 0
        self._sync_directory()

    def _undo_unconsumed(self, pipe_head: Callable[[int], bytes]) -> None:
        """Cut ``current`` back to where input that is still in the pipe began."""
        assert self.inflight is not None
        record = self.inflight.read()
        if record is None:
            return
        head = pipe_head(record.length)
        if len(head) != record.length or digest(head) != record.digest:
            return  # consumed: what is in ``current`` is written once already
        try:
            fd = os.open("current", os.O_WRONLY | os.O_NONBLOCK, dir_fd=self.fd)
        except FileNotFoundError:
            return  # the crash came after a rotation began: the record is for no file now
        except OSError as e:
            raise self.complaints.fatal(f"unable to write to {self.path}/current: ", e) from None
        try:
            st = os.fstat(fd)
            # Another current (a multilog that does not keep the record ran since): leave it.
            if st.st_ino == record.inode and st.st_size >= record.offset:
                os.ftruncate(fd, record.offset)
                self.complaints.note(
                    f"{self.path}: removed {st.st_size - record.offset} bytes of current"
                    " that will be written again from the pipe"
                )
        finally:
            os.close(fd)

    def _unlink_quietly(self, name: str) -> None:
        try:
            os.unlink(name, dir_fd=self.fd)
        except OSError:
            return

    # -- writing -----------------------------------------------------------------------

    def append(self, data: bytes, unconsumed: tuple[int, str] | None) -> None:
        """Append ``data`` to ``current``, finishing a full ``current`` first.

        ``unconsumed`` = (length, digest) of the pipe input ``data`` comes from, when it is
        still in the pipe: the in-flight record is written before the first byte.
        """
        if not data:
            return
        if self.filled >= self.size:
            self.rotate()
        if unconsumed is not None and self.inflight is not None and not self.inflight.open_write:
            record = Record(self.current_inode, self.filled, unconsumed[0], unconsumed[1])
            retry(
                self.complaints,
                f"unable to write {self.path}/inflight, pausing: ",
                lambda: self.inflight.writing(record),  # type: ignore[union-attr]
            )
        view = memoryview(data)
        while view:
            try:
                written = os.write(self.current, view)
            except OSError as e:
                self.complaints.pause(f"unable to write to {self.path}/current, pausing: ", e)
                continue
            view = view[written:]
            self.filled += written

    def consumed(self) -> None:
        """The input of the appends so far has left the pipe."""
        if self.inflight is not None and self.inflight.open_write:
            retry(
                self.complaints,
                f"unable to write {self.path}/inflight, pausing: ",
                self.inflight.done,
            )

    # -- rotation ----------------------------------------------------------------------

    def rotate(self) -> None:
        """Finish ``current`` and start a new one (multilog's ``fullcurrent``)."""
        c = self.complaints
        d = self.path
        fd = self.fd
        self._synced()
        self.drill.before("sync-current", d)
        retry(c, f"unable to write {d}/current to disk, pausing: ", lambda: os.fsync(self.current))
        os.close(self.current)
        self.drill.before("rename-current", d)
        retry(
            c,
            f"unable to rename current to previous in directory {d}, pausing: ",
            lambda: os.rename("current", "previous", src_dir_fd=fd, dst_dir_fd=fd),
        )
        self.drill.before("create-current", d)
        self.current = retry(
            c,
            f"unable to create {d}/current, pausing: ",
            lambda: os.open("current", _APPEND, 0o600, dir_fd=fd),
        )
        self.filled = 0
        self.current_inode = os.fstat(self.current).st_ino
        retry(
            c,
            f"unable to set mode of {d}/current, pausing: ",
            lambda: os.fchmod(self.current, 0o644),
        )
        self.drill.before("chmod-previous", d)
        retry(
            c,
            f"unable to set mode of {d}/previous, pausing: ",
            lambda: os.chmod("previous", 0o744, dir_fd=fd),
        )
        if self.spec.processor is None:
            self.finish("previous", "s")
        else:
            self._process(self.spec.processor)
        # One sync makes every name change of the rotation durable (daemontools never syncs
        # the directory). It runs beside the writing: it must be done before the new
        # ``current``'s data is synced at the next rotation (or at exit), not before its
        # first write, which is no more durable than any write between rotations.
        self.drill.before("sync-directory", d)
        self.syncing.start()

    def _synced(self) -> None:
        """Wait for the directory sync of the last rotation."""
        self.syncing.wait()

    def _process(self, command: str) -> None:
        """Run the processor until it succeeds, then make its output the finished file."""
        c = self.complaints
        d = self.path
        fd = self.fd
        while True:
            self.drill.before("run-processor", d)
            try:
                status = processor.run(command, fd)
            except OSError as e:
                c.pause(f"unable to fork for processor in {d}, pausing: ", e)
                continue
            if os.WIFSIGNALED(status):
                # daemontools appends a stale errno here; the signal says what happened.
                c.warn(f"processor crashed in {d}, pausing: signal {os.WTERMSIG(status)}")
                time.sleep(PAUSE_SECONDS)
            elif os.WEXITSTATUS(status) == 0:
                break
            c.warn(f"processor failed in {d}, pausing")
            time.sleep(PAUSE_SECONDS)
        self.drill.before("sync-processed", d)
        self._seal("processed", 0o744)
        self.drill.before("sync-newstate", d)
        self._seal("newstate", None)
        self.drill.before("remove-previous", d)
        retry(
            c,
            f"unable to remove {d}/previous, pausing: ",
            lambda: os.unlink("previous", dir_fd=fd),
        )
        self.drill.before("rename-newstate", d)
        retry(
            c,
            f"unable to rename newstate to state in directory {d}, pausing: ",
            lambda: os.rename("newstate", "state", src_dir_fd=fd, dst_dir_fd=fd),
        )
        self.finish("processed", "s")

    def _seal(self, name: str, mode: int | None) -> None:
        """fsync ``name`` (creating it if the processor did not), then set ``mode``."""
        c = self.complaints
        d = self.path
        handle = retry(
            c,
            f"unable to create {d}/{name}, pausing: ",
            lambda: os.open(name, _APPEND, 0o600, dir_fd=self.fd),
        )
        try:
            retry(c, f"unable to write {d}/{name} to disk, pausing: ", lambda: os.fsync(handle))
            if mode is not None:
                retry(
                    c,
                    f"unable to set mode of {d}/{name}, pausing: ",
                    lambda: os.fchmod(handle, mode),
                )
        finally:
            os.close(handle)

    def finish(self, name: str, code: str) -> None:
        """Give ``name`` its ``@<now>.<code>`` name, then keep at most n-1 old files."""
        c = self.complaints
        d = self.path
        fd = self.fd
        while True:
            try:
                st = os.stat(name, dir_fd=fd, follow_symlinks=True)
                break
            except FileNotFoundError:
                return
            except OSError as e:
                c.pause(f"unable to stat {d}/{name}, pausing: ", e)
        if st.st_nlink == 1:
            self.drill.before("link-finished", d)
            while True:
                finished = label_for_unix_ns(time.time_ns()).decode() + "." + code
                try:
                    os.link(name, finished, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
                    break
                except FileExistsError:
                    time.sleep(0.000001)  # two files finished in one microsecond
                except OSError as e:
                    c.pause(f"unable to link to {d}/{finished}, pausing: ", e)
        self.drill.before("remove-finished", d)
        retry(c, f"unable to remove {d}/{name}, pausing: ", lambda: os.unlink(name, dir_fd=fd))
        self.drill.before("prune", d)
        self._prune()

    def _prune(self) -> None:
        """Delete the oldest ``@`` files until fewer than ``n`` are left (``filesfit``)."""
        while True:
            try:
                names = [os.fsencode(n) for n in os.listdir(self.fd)]
            except OSError as e:
                self.complaints.pause(f"unable to read {self.path}, pausing: ", e)
                continue
            old = [n for n in names if n[:1] == b"@" and len(n) >= LABEL_LENGTH]
            if len(old) < self.spec.count:
                return
            oldest = b"@z"
            for name in old:
                if name < oldest:
                    oldest = name[:LABEL_LENGTH]
            victim = next((n for n in old if n.startswith(oldest)), None)
            if victim is None:
                return  # only names multilog would never delete: keep them
            try:
                os.unlink(victim, dir_fd=self.fd)
            except OSError:
                return

    def _sync_directory(self) -> None:
        retry(
            self.complaints,
            f"unable to write {self.path} to disk, pausing: ",
            lambda: os.fsync(self.fd),
        )

    # -- end ---------------------------------------------------------------------------

    def close(self) -> None:
        """Make ``current`` durable and mark it complete (mode 0744): a clean exit."""
        c = self.complaints
        d = self.path
        self._synced()
        retry(c, f"unable to write {d}/current to disk, pausing: ", lambda: os.fsync(self.current))
        retry(
            c,
            f"unable to set mode of {d}/current, pausing: ",
            lambda: os.fchmod(self.current, 0o744),
        )
        if self.inflight is not None:
            self.inflight.remove()
