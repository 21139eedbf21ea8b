"""Tagging on every core: worker processes that apply one function to Arrow batches, in order.

Tagging is Python and holds the GIL, so threads cannot spread it over cores; processes can.
Each worker receives the pickled function (an ``XFilter`` inside it) once, then batches as Arrow
IPC streams over a pipe, and sends each result back the same way. Batch ``i`` goes to worker
``i mod N`` and every worker answers in the order it was asked, so results come back in input
order without sorting: the output is the same bytes as tagging in one process.

At most ``depth`` batches are in flight (sent and not yet handed back), so memory stays a few
batches whatever the input size. Workers start from a ``forkserver`` (``spawn`` where there is
none): forking a process that already runs reader and writer threads is unsafe. The fork
server imports xfilter once; each worker then costs a fork and an unpickling.

Failure: a worker that dies (killed, out of memory) fails the run with a ``WorkerError`` naming
it and how it ended. An exception inside a worker is raised here as itself. Workers ignore
Ctrl-C from their first line on: the parent stops them, so a Ctrl-C ends the run as it does
without workers, and no process outlives it. (A Ctrl-C in the milliseconds between a worker's
fork and that first line would end the worker with a traceback, and the run with it.)

Pipes are read and written as raw file descriptors (``os.readv``): POSIX only. Elsewhere the
default is one worker, which tags in the job's own process.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing import get_all_start_methods, get_context
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

import pyarrow as pa

from xfilter.errors import ConfigError, XFilterError
from xfilter.threads import wait_through_interrupts

# Modules the fork server imports before forking workers: the whole tagging stack.
PRELOAD = ["xfilter.engines.preload"]
# A message on a pipe: its kind, its length, then its bytes. Kinds: a worker's setup, a batch,
# an answer, an error.
_HEADER = struct.Struct("!cQ")
_SETUP, _BATCH, _RESULT, _ERROR = b"S", b"B", b"R", b"E"
# Pipes of 1 MiB (Linux's default limit; 64 KiB otherwise) move a batch in fewer system calls.
_PIPE_BYTES = 1 << 20
# How long a stopped worker is given to exit before it is killed.
_STOP_SECONDS = 5.0


class WorkerError(XFilterError):
    """A tagging worker process stopped before answering."""


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    """How many processes tag a job's batches unless told: every usable core but one.

    The job's own process keeps that core busy: it reads and decodes the input, joins the
    answers, and compresses, hashes and writes the output, on threads that release the GIL
    (measured: 1.5 cores' worth on a 2-core machine, where the job tagging in its own process
    keeps both cores busy). So on 1 or 2 cores the default is 1, tagging in the job's own
    process, which measured faster there than 2 workers; on 32 cores, 31 workers tag.
    docs/workers.md has the figures. Without pipes as file descriptors there is no pool: 1.
    """
    if not hasattr(os, "readv"):
        return 1
    return max(1, usable_cores() - 1)


def check_count(value: object, name: str) -> int:
    """``value``, a count of processes: a whole number, 1 or more."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name}={value!r}: must be a whole number of processes, 1 or more")
    return value


def start_method() -> str:
    return "forkserver" if "forkserver" in get_all_start_methods() else "spawn"


class OrderedPool:
    """``function`` applied to Arrow tables in ``workers`` processes; results in input order.

    Use as a context manager: leaving the block stops the workers (at once when the block
    raised), and waits for them.
    """

    def __init__(
        self, function: Callable[[pa.Table], pa.Table], workers: int, depth: int | None = None
    ) -> None:
        check_count(workers, "workers")
        self.workers = workers
        self.depth = depth or 2 * workers
        self._processes: list[Any] = []
        self._senders: list[_Sender] = []
        self._results: list[Connection] = []
        self._next = 0
        self._broken = False
        try:
            self._start(pickle.dumps(_Setup(function), protocol=pickle.HIGHEST_PROTOCOL))
        except BaseException:
            self.close(error=True)
            raise

    def _start(self, setup: bytes) -> None:
        context: Any = get_context(start_method())
        if start_method() == "forkserver":
            context.set_forkserver_preload(PRELOAD)
        for number in range(self.workers):
            tasks_out, tasks_in = context.Pipe(duplex=False)
            results_out, results_in = context.Pipe(duplex=False)
            _widen(tasks_in)
            _widen(results_in)
            process = context.Process(
                target=serve,
                args=(tasks_out, results_in),
                name=f"xfilter-tag-{number}",
                daemon=True,  # stopped by the interpreter at exit, should a caller not close
            )
            self._processes.append(process)
            process.start()
            tasks_out.close()  # the worker's ends: only its death closes them now
            results_in.close()
            self._senders.append(_Sender(tasks_in, f"xfilter-send-{number}"))
            self._results.append(results_out)
            self._senders[-1].send(_SETUP, setup)

    def map(self, tables: Iterable[pa.Table]) -> Iterator[tuple[pa.Table, pa.Table]]:
        """Each table with ``function(table)``, in input order, at most ``depth`` in flight."""
        if self._broken:
            raise WorkerError("the tagging workers were stopped by an earlier error")
        pending: deque[tuple[int, pa.Table]] = deque()
        done = False
        try:
            for table in tables:
                if len(pending) >= self.depth:
                    yield self._answer(*pending.popleft())
                worker = self._next
                self._next = (worker + 1) % self.workers
                self._send(worker, table)
                pending.append((worker, table))
            while pending:
                yield self._answer(*pending.popleft())
            done = True
        finally:
            if not done:  # answers still owed would come out of order: the pool is spent
                self._broken = True

    def _send(self, worker: int, table: pa.Table) -> None:
        self._senders[worker].send(_BATCH, _write_ipc(table))

    def _answer(self, worker: int, table: pa.Table) -> tuple[pa.Table, pa.Table]:
        connection = self._results[worker]
        try:
            kind, payload = receive(connection)
        except (EOFError, OSError):
            raise self._died(worker) from None
        if kind == _ERROR:
            raise pickle.loads(payload)
        return table, _read_ipc(payload)

    def _died(self, worker: int) -> WorkerError:
        self._broken = True
        process = self._processes[worker]
        process.join(_STOP_SECONDS)
        code = process.exitcode
        if code is None:
            how = "stopped answering"
        elif code < 0:
            how = f"was killed by {signal.Signals(-code).name}"
        else:
            how = f"exited with code {code}"
        return WorkerError(
            f"tagging worker {worker} (pid {process.pid}) {how}; the run stopped, "
            "no output was written"
        )

    def close(self, error: bool = False) -> None:
        """Stop the workers and wait for them: they finish their batches and exit, or, after an
        error (or a Ctrl-C), are terminated."""
        stop = error or self._broken
        for sender in self._senders:
            sender.close(now=stop)  # then the worker's end-of-input
        if stop:
            for process in self._processes:
                if process.is_alive():
                    process.terminate()
        wait_through_interrupts(self._join)
        for connection in self._results:
            connection.close()

    def _join(self) -> None:
        for sender in self._senders:
            sender.thread.join()
        for process in self._processes:
            if process.pid is None:
                continue
            process.join(_STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()

    def __enter__(self) -> OrderedPool:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close(error=kind is not None)


class _Sender:
    """Sends one worker its messages, in order, on a thread of its own.

    A worker reads its next batch only once it has tagged the last one (a thread reading for it
    would wait for the GIL its tagging holds at every chunk of the pipe), and this process must
    not wait for that: it has answers to collect from the other workers meanwhile.
    """

    def __init__(self, connection: Connection, name: str) -> None:
        self.connection = connection
        self.outbox: queue.SimpleQueue[tuple[bytes, Any] | None] = queue.SimpleQueue()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def send(self, kind: bytes, message: Any) -> None:
        self.outbox.put((kind, message))

    def close(self, now: bool) -> None:
        """Close the pipe once every message is sent, or (``now``) after the one being sent."""
        if now:
            self.stopped.set()
        self.outbox.put(None)

    def _run(self) -> None:
        try:
            while (message := self.outbox.get()) is not None and not self.stopped.is_set():
                send(self.connection, *message)
        except OSError:
            pass  # the worker has gone: reading its answer reports how
        finally:
            self.connection.close()


class _Setup:
    """What a worker needs before its first batch: the function, and the parent's working
    directory and environment as they are now. A fork server started earlier holds older ones,
    and tagging reads both: relative paths of a config, the scan engine (``XFILTER_ENGINE``),
    the variable that holds an opt-out list's key."""

    def __init__(self, function: Callable[[pa.Table], pa.Table]) -> None:
        # Pickled apart: unpickling it (an XFilter reads its registry and key files again)
        # needs the directory and environment in place first.
        self.function = pickle.dumps(function, protocol=pickle.HIGHEST_PROTOCOL)
        self.cwd = os.getcwd()
        self.env = dict(os.environ)

    def function_here(self) -> Callable[[pa.Table], pa.Table]:
        """The function, in this worker's directory and environment made the parent's."""
        os.chdir(self.cwd)
        os.environ.clear()
        os.environ.update(self.env)
        function: Callable[[pa.Table], pa.Table] = pickle.loads(self.function)
        return function


def serve(tasks: Connection, results: Connection) -> None:
    """A worker's life: set up, then answer each batch in order until the parent closes its
    end (or dies: its end closes too)."""
    # A terminal's Ctrl-C reaches the whole process group; the parent stops its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    one_scan_thread()
    try:
        _, message = receive(tasks)
        setup: _Setup = pickle.loads(message)
        function = setup.function_here()
    except (EOFError, OSError):
        return
    except Exception as error:  # reported on the first batch
        function = _Failing(error)
    try:
        while True:
            try:
                _, payload = receive(tasks)
            except EOFError:
                return
            try:
                answer = _write_ipc(function(_read_ipc(payload)))
            except Exception as error:
                send(results, _ERROR, _pickled_error(error))
                continue
            finally:
                del payload
            send(results, _RESULT, answer)
            del answer
    except OSError:
        return  # the parent has gone


def one_scan_thread() -> None:
    """Scans in a worker run on its own thread: the job already runs a worker per core."""
    try:
        from xfilter.tagging.prefilter import hyperscan
    except ImportError:  # no Hyperscan here: RE2 scans on Arrow's threads
        return
    hyperscan.SCAN_THREADS = 1


class _Failing:
    """A function that could not be set up: every batch raises its error."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def __call__(self, table: pa.Table) -> pa.Table:
        raise self.error


def _pickled_error(error: Exception) -> bytes:
    try:
        data = pickle.dumps(error)
        pickle.loads(data)
        return data
    except Exception:
        return pickle.dumps(XFilterError(f"{type(error).__name__}: {error}"))


def send(connection: Connection, kind: bytes, message: Any) -> None:
    """Write one message. Raw writes on the pipe: a whole batch goes in a few calls, with no
    copy of it made."""
    data = memoryview(message).cast("B")
    _write_all(connection.fileno(), memoryview(_HEADER.pack(kind, data.nbytes)))
    _write_all(connection.fileno(), data)


def receive(connection: Connection) -> tuple[bytes, bytearray]:
    """Read one message into a buffer of its size. (``Connection.recv_bytes`` asks the system
    for the whole remaining size on every read, allocating that much each time the pipe hands
    over a chunk: tens of times a batch.)"""
    kind, size = _HEADER.unpack(_read_exactly(connection.fileno(), _HEADER.size))
    return kind, _read_exactly(connection.fileno(), size)


def _write_all(fd: int, data: memoryview) -> None:
    while data.nbytes:
        data = data[os.write(fd, data) :]


def _read_exactly(fd: int, size: int) -> bytearray:
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        read = os.readv(fd, [view[got:]])
        if read == 0:
            raise EOFError
        got += read
    return buffer


def _widen(connection: Connection) -> None:
    """A pipe of ``_PIPE_BYTES`` where the system allows it (Linux); as it is elsewhere."""
    try:
        import fcntl

        fcntl.fcntl(connection.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    except (ImportError, OSError):
        pass


def _read_ipc(payload: bytes | bytearray) -> pa.Table:
    return pa.ipc.open_stream(pa.py_buffer(payload)).read_all()


def _write_ipc(table: pa.Table) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as stream:
        stream.write_table(table)
    return sink.getvalue()
