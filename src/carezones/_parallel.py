"""Worker processes that are safe to start from any process."""

from __future__ import annotations

import multiprocessing
from multiprocessing.context import BaseContext


def pool_context() -> BaseContext:
    """The start method for carezones' process pools: a fork server, else spawn.

    Never plain ``fork``: a child forked from a process that has used OpenMP (scikit-learn's
    k-means, BLAS) or that runs threads (a notebook kernel, a test runner's worker) can
    deadlock. A fork server starts clean children cheaply; the network is sent to each
    worker once, through the pool's initializer.
    """
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
