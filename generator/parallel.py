"""Pure work on many items, spread over one process per core.

A stage whose work is a pure function of each item (checking a schema file, rendering a
model) hands a function of a list of items to ``process_map``; the results come back in
the order of the items, whatever the number of processes, so the output never depends
on the machine.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Argument = TypeVar("Argument")
Outcome = TypeVar("Outcome")


def process_map(
    function: Callable[[list[Item], Argument], list[Outcome]],
    items: Sequence[Item],
    argument: Argument,
    *,
    per_worker: int,
    jobs: int | None = None,
) -> list[Outcome]:
    """``function(items, argument)``, computed on up to ``jobs`` processes (default: one
    per core), each given at least ``per_worker`` items, since a process costs more than
    a few items save. ``function`` must be pure and return one outcome per item, in order.
    """
    workers = min(jobs or os.cpu_count() or 1, max(1, len(items) // per_worker))
    if workers <= 1:
        return function(list(items), argument)
    # Imported only now: a run with little to do (one edited schema) starts no process.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Every worker's share spans the whole list, so that the slow items are spread too.
    chunks = [list(items[index::workers]) for index in range(workers)]
    # fork: the workers inherit the imported modules for free.
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = list(pool.map(function, chunks, [argument] * workers))
    merged: list[Outcome] = []
    for position in range(len(items)):
        merged.append(results[position % workers][position // workers])
    return merged
