"""Tests of carezones' process pools: no deadlock after OpenMP, fork only when it is safe."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

from carezones._parallel import pool_context

SCRIPT = textwrap.dedent(
    """
    import numpy as np
    from concurrent.futures import ProcessPoolExecutor
    from sklearn.cluster import KMeans
    from carezones._parallel import pool_context, single_threaded

    X = np.random.default_rng(0).normal(size=(5000, 2))

    def job(i):
        return KMeans(4, n_init=1, random_state=i).fit(X).inertia_

    KMeans(4, n_init=1, random_state=0).fit(X)  # the parent starts an OpenMP pool
    ctx = pool_context()
    with ProcessPoolExecutor(2, mp_context=ctx, initializer=single_threaded) as pool:
        print(ctx.get_start_method(), len(list(pool.map(job, range(4)))))
    """
)


def test_workers_after_openmp_do_not_hang(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A plain script that ran k-means forks workers that run k-means again, without hanging."""
    path = tmp_path / "script.py"
    path.write_text(SCRIPT)  # no __main__ guard: a plain script must work as written
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["fork", "4"]


def test_fork_server_beside_running_threads() -> None:
    """With another thread running (a test runner, a notebook kernel) pools use a fork server."""
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait, name="busy")
    worker.start()
    try:
        assert pool_context().get_start_method() in ("forkserver", "spawn")
    finally:
        stop.set()
        worker.join()


def test_fork_server_beside_a_thread_threading_does_not_list() -> None:
    """A thread started with ``_thread`` (execnet's, under pytest-xdist) also rules out fork."""
    import _thread
    import time

    stop = threading.Event()
    _thread.start_new_thread(stop.wait, ())
    time.sleep(0.05)
    try:
        assert pool_context().get_start_method() in ("forkserver", "spawn")
    finally:
        stop.set()
