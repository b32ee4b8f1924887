"""Running jobs in processes of their own: a time limit for each, and Ctrl-C that stops them all.

Each job runs in a forked process, so one that crashes, is killed by the OS or hangs
fails alone. The parent polls the workers' pipes and exit sentinels, ends a worker that
outlives its time limit, and on Ctrl-C ends every worker and raises KeyboardInterrupt
from one safe place. A single job can run in this process under the same time limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

STOP_GRACE_SECONDS = 2.0
MEMORY_LIMIT_BYTES = 2 * 1024**3  # address space per job; a whole pack peaks near 330 MB
POLL_SECONDS = 0.2
YOUNG_COLLECTION = 10_000  # a worker lives for one job: it collects new objects every 10,000, not 700
K = TypeVar("K")
R = TypeVar("R")


@dataclass(frozen=True)
class Finished(Generic[K, R]):
    """A job's end: its result, or why there is none (`failure`), and how long it ran."""

    key: K
    result: R | None
    failure: str
    seconds: float


class Stopped(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP: stop the batch, as the user or the system asked; `signum` says which."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1


@contextmanager
def stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise Stopped here, as Ctrl-C raises KeyboardInterrupt: the same clean stop."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number: int, _: object) -> None:
        raise Stopped(number)

    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class TimeLimitReached(BaseException):  # not an Exception: no "except Exception" in a job may swallow it
    pass


def run_here(job: Callable[..., R], args: tuple[Any, ...], time_limit: float) -> R:
    """Run `job(*args)` in this process, memory-capped; TimeLimitReached when it outlives `time_limit`.

    The time limit is a timer signal, so it needs the main thread; elsewhere it is not applied.
    """
    if not (hasattr(signal, "SIGALRM") and threading.current_thread() is threading.main_thread()):
        with _memory_limit():
            return job(*args)

    def expire(*_: object) -> None:
        raise TimeLimitReached

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        with _memory_limit():
            return job(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _memory_limit() -> Iterator[None]:
    """Cap this process's address space while a job runs: past it, allocations raise MemoryError.

    Only the soft limit is lowered, so it can be put back afterwards.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(hard, MEMORY_LIMIT_BYTES)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def run_in_workers(
    job: Callable[..., R],
    tasks: Sequence[tuple[K, tuple[Any, ...]]],
    jobs: int,
    time_limit: float,
    after_stop: Callable[[int], None] = lambda pid: None,
) -> Iterator[Finished[K, R]]:
    """Run `job(*args)` for each (key, args), at most `jobs` at once, each in its own process.

    `after_stop(pid)` runs for every worker that had to be ended (to clean up after it).
    """
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    queue = list(tasks)
    running: list[_Running[K]] = []
    gc.collect()
    gc.freeze()  # what this process holds stays out of every worker's collections (and its pages unwritten)
    try:
        with _interrupt_flag() as interrupted:
            while queue or running:
                if interrupted():
                    break  # the flag's context raises Stopped, naming the signal, once it is left
                while queue and len(running) < jobs:
                    key, args = queue.pop(0)
                    running.append(_start(context, job, key, args, time_limit))
                ready = wait([r.pipe for r in running] + [r.process.sentinel for r in running], timeout=POLL_SECONDS)
                for worker in list(running):
                    finished: Finished[K, R] | None = _collect(worker, ready, time_limit, after_stop)
                    if finished:
                        running.remove(worker)
                        yield finished
    finally:
        for worker in running:  # Ctrl-C, or the caller stopped listening: end what still runs
            _stop(worker.process)
            after_stop(worker.process.pid)
        gc.unfreeze()


@dataclass
class _Running(Generic[K]):
    key: K
    process: Any  # multiprocessing.Process (its type depends on the start method)
    pipe: Connection
    started: float


@contextmanager
def _interrupt_flag() -> Iterator[Callable[[], bool]]:
    """Ctrl-C sets a flag that the loop checks, rather than raising wherever it lands.

    A KeyboardInterrupt raised while a worker is being forked lands in an at-fork hook,
    where Python prints and ignores it: the batch would go on as if nothing happened.
    """
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    caught: list[int] = []
    previous = {number: signal.signal(number, lambda n, _: caught.append(n)) for number in STOP_SIGNALS}
    try:
        yield lambda: bool(caught)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if caught:
        raise Stopped(caught[0])


def _die_with(parent: int) -> None:
    """Ask Linux to kill this worker when its parent dies (a batch killed with SIGKILL leaves no orphan)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _start(context: Any, job: Callable[..., Any], key: K, args: tuple[Any, ...], limit: float) -> _Running[K]:
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(job, args, send, limit, os.getpid()), daemon=True)
    process.start()
    send.close()
    return _Running(key, process, receive, time.perf_counter())


def _collect(
    worker: _Running[K], ready: list[Any], time_limit: float, after_stop: Callable[[int], None]
) -> Finished[K, Any] | None:
    elapsed = time.perf_counter() - worker.started
    ended = worker.process.sentinel in ready or not worker.process.is_alive()
    if worker.pipe in ready or (ended and worker.pipe.poll()):  # an answer may land just after wait()
        try:
            result = worker.pipe.recv()
        except (EOFError, OSError):  # the worker died before it could answer
            result = None
        worker.process.join(STOP_GRACE_SECONDS)
        if result is not None:
            return Finished(worker.key, result, "", elapsed)
        ended = True
    if ended:
        worker.process.join(STOP_GRACE_SECONDS)
        code = worker.process.exitcode
        reason = f"killed by signal {-code}" if code is not None and code < 0 else f"exited with status {code}"
        after_stop(worker.process.pid)
        return Finished(worker.key, None, f"the build's process was {reason}", elapsed)
    if elapsed > time_limit:
        _stop(worker.process)
        after_stop(worker.process.pid)
        message = f"stopped after {time_limit:g} seconds, its time limit; the previous pack is unchanged"
        return Finished(worker.key, None, message, elapsed)
    return None


def _worker(job: Callable[..., Any], args: tuple[Any, ...], send: Connection, limit: float, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a batch stops
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # stop at once; the parent cleans up after us
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    _die_with(parent)
    seconds = int(limit + STOP_GRACE_SECONDS) + 1  # our own limit, which holds even when the parent is gone
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    gc.set_threshold(YOUNG_COLLECTION, *gc.get_threshold()[1:])
    with _memory_limit():
        result = job(*args)
    send.send(result)
    send.close()


def _stop(process: Any) -> None:
    if process.is_alive():
        process.terminate()
        process.join(STOP_GRACE_SECONDS)
    if process.is_alive():
        process.kill()
        process.join(STOP_GRACE_SECONDS)
