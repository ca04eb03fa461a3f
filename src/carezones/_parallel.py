"""Worker processes that are safe to start from any process."""

from __future__ import annotations

import multiprocessing
import sys
import threading
from multiprocessing.context import BaseContext

from threadpoolctl import threadpool_limits

#: Threads that sleep until they are needed: forking beside them is safe.
_IDLE_THREADS = frozenset({"tqdm_monitor"})


def pool_context() -> BaseContext:
    """The start method for carezones' process pools.

    ``fork`` from a process with no other running thread (a plain script: fast, nothing
    pickled, and the script needs no ``if __name__ == "__main__"`` guard; tqdm's idle
    monitor thread does not count); otherwise a fork server (a notebook kernel, a test
    runner's worker, a program with threads — a script then needs that guard), since
    forking a process that runs threads can deadlock the children. Either way each worker
    calls :func:`single_threaded` first.
    """
    methods = multiprocessing.get_all_start_methods()
    busy = [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread() and t.name not in _IDLE_THREADS
    ]
    quiet = threading.active_count() == 1 or sys.version_info < (3, 12)
    if "fork" in methods and not busy and quiet:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def single_threaded() -> None:
    """Limit this worker's OpenMP and BLAS to one thread.

    A forked child must not use an OpenMP thread pool its parent started (scikit-learn's
    k-means hangs in GNU libgomp after a fork), and two workers on two cores gain nothing
    from more threads each.
    """
    threadpool_limits(1)
