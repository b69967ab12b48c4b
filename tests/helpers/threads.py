"""Races in tests: the same moment in several threads, each with its own database connection."""

import threading

from django.db import connection


def run_at_once(target, jobs):
    """Call target(*job) for every job, each in its own thread, all released together by a barrier;
    each thread closes its database connection. Returns the results in the jobs' order and fails
    on any exception a thread raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)
    errors = []

    def run(index, job):
        try:
            barrier.wait()
            results[index] = target(*job)
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], errors
    return results
