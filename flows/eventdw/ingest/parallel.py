"""Run calls in a pool of workers a few at a time, their results in order: the loader's parallel reads."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from typing import Any, TypeVar

T = TypeVar("T")


class InProcess(Executor):
    """An Executor that runs each call at once, in this process, when submitted."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def map_ahead(pool: Executor, function: Callable[..., T], calls: Iterable[tuple[Any, ...]], ahead: int) -> Iterator[T]:
    """`function(*arguments)` for each of `calls`, run in `pool`, the results in the order of `calls`; at most
    `ahead` calls submitted and not yet taken (Executor.map submits them all, and their results would pile
    up in memory while the caller is slower than the pool)."""
    pending: deque[Future[T]] = deque()
    for arguments in calls:
        pending.append(pool.submit(function, *arguments))
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
