"""Independent jobs on two threads, the heaviest first, the results in the caller's order.

Stretches of `batchkit cost` were one Python thread's work while the second
core waited: typing the columns of a large table (Arrow and numpy, which
release the GIL; the material issues' columns are two thirds of the load at
16x), normalizing the batch IDs table by table (`ingest.ids`), and the
analytics computed once the cost tables are being written
(`store.cost_folder`: anomalies on one lane, quality cost and KPIs on the
other). So the caller's thread and one helper take the jobs from a queue,
the heaviest first, and the caller reads the results in its own order: the
findings and tables come out as a sequential run gives them.

The helper is a daemon thread: an interrupt (SIGINT, SIGTERM) lands on the
caller's thread, which stops taking jobs and unwinds at once; the helper
finishes the job in hand and ends without delaying the exit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar, cast

T = TypeVar("T")


def two_lanes(names: Sequence[str], weight: Callable[[str], float], job: Callable[[str], T]) -> dict[str, T]:
    """`job(name)` for every name, on this thread and one helper; the results in the order of `names`.

    Names are taken heaviest `weight` first (ties in the given order). Every job
    runs even when one fails; then the first error in the order of `names` is
    raised (the one a sequential run would have stopped at). An interrupt (a
    BaseException) on either thread stops the work and is raised here at once.
    """
    queue = sorted(names, key=lambda n: -weight(n))  # stable: equal weights keep the caller's order
    results: dict[str, T | Exception] = {}
    interrupt: list[BaseException] = []
    lock = threading.Lock()
    stop = threading.Event()

    def take() -> str | None:
        with lock:
            return queue.pop(0) if queue and not stop.is_set() else None

    def lane() -> None:
        while (name := take()) is not None:
            try:
                results[name] = job(name)
            except Exception as exc:  # raised by the caller, in the order of the names
                results[name] = exc
            except BaseException as exc:  # the helper's own interrupt: raised on the caller's thread
                interrupt.append(exc)
                stop.set()

    helper = threading.Thread(target=lane, name="batchkit-lane", daemon=True)
    helper.start()
    try:
        while (name := take()) is not None:
            try:
                results[name] = job(name)
            except Exception as exc:  # an interrupt (BaseException) is no job's result: it propagates
                results[name] = exc
        helper.join()
    except BaseException:
        stop.set()
        raise
    if interrupt:
        raise interrupt[0]
    for name in names:
        got = results[name]
        if isinstance(got, Exception):
            raise got
    return cast(dict[str, T], {name: results[name] for name in names})
