"""Running calls at the same moment in threads, each with its own database connection.

Races need a database that runs transactions concurrently: they run on PostgreSQL (as CI does)
and are skipped on SQLite, whose writers queue behind one lock.
"""

import threading

import pytest
from django.db import connection

THREAD_TIMEOUT_S = 60

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="races need PostgreSQL (set DATABASE_URL=postgres://...); SQLite serialises "
    "writers, so the race cannot happen there",
)


def run_together(*calls) -> list:
    """Runs each call in its own thread (its own database connection), all released at once;
    returns what each returned, or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=THREAD_TIMEOUT_S)
            results[index] = call()
        except BaseException as error:  # reported to the test, not lost in the thread
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT_S)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results
