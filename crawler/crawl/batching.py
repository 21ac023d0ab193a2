"""Gathers work that arrives one piece at a time on the event loop into batches, one write each."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """Hands the items submitted on the running loop to `write` together: as soon as `size` are
    waiting, or `delay` seconds after the first of them arrived.

    `write` returns one result per item, in order; an exception among them is raised to that item's
    submitter alone. It runs in a worker thread, one batch at a time, so a slow or locked database
    never stalls the loop (and with it every download's timeout).
    """

    def __init__(
        self, write: Callable[[list[T]], Sequence[R | Exception]], *, size: int, delay: float
    ) -> None:
        self.write = write
        self.size = size
        self.delay = delay
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writing: set[asyncio.Task[None]] = set()
        self._one_at_a_time = asyncio.Lock()

    async def submit(self, item: T) -> R:
        """The item's result, once the batch it joined has been written."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._waiting.append((item, future))
        if len(self._waiting) >= self.size:
            self._flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.delay, self._flush)
        return await future

    def _flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        waiting, self._waiting = self._waiting, []
        task = asyncio.ensure_future(self._write(waiting))
        self._writing.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._writing.discard)

    async def _write(self, waiting: list[tuple[T, asyncio.Future[R]]]) -> None:
        async with self._one_at_a_time:
            try:
                results = await asyncio.to_thread(self.write, [item for item, _ in waiting])
            except Exception as error:
                results = [error] * len(waiting)
        for (_, future), result in zip(waiting, results, strict=True):
            if future.cancelled():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
