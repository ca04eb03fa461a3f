"""Worker processes that are safe to start from any process."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
from multiprocessing.context import BaseContext

from threadpoolctl import threadpool_limits

logger = logging.getLogger(__name__)

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
    if "fork" in methods and not _other_threads() and (
        threading.active_count() == 1 or sys.version_info < (3, 12)
    ):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _other_threads() -> list[int]:
    """Threads that run Python code beside this one, the idle ones aside.

    ``sys._current_frames`` lists every thread with Python code on its stack, also those
    the ``threading`` module does not know (execnet's, serving pytest-xdist's workers,
    are started with ``_thread``): forking beside such a thread can copy a lock it holds
    (a worker of ``carezones demo`` once hung so under ``pytest -n 2``).
    """
    names = {t.ident: t.name for t in threading.enumerate()}
    me = threading.get_ident()
    return [k for k in sys._current_frames() if k != me and names.get(k) not in _IDLE_THREADS]


def single_threaded() -> None:
    """Limit this worker's OpenMP and BLAS to one thread.

    A forked child must not use an OpenMP thread pool its parent started (scikit-learn's
    k-means hangs in GNU libgomp after a fork), and two workers on two cores gain nothing
    from more threads each.
    """
    threadpool_limits(1)


def worker_count(n_jobs: int, *, option: str = "n_jobs") -> int:
    """``n_jobs``, at most this computer's cores: more processes than cores gain nothing.

    Each worker holds its own copy of the network, so 16 processes on a 2-core laptop only
    fill its memory. The cut is logged, naming ``option``.

    Examples
    --------
    >>> worker_count(1)
    1
    >>> worker_count(10_000) == (os.cpu_count() or 1)
    True
    """
    cores = os.cpu_count() or 1
    if n_jobs > cores:
        logger.info("%s = %d: %d used (this computer's cores)", option, n_jobs, cores)
    return min(n_jobs, cores)
