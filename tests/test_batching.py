"""The batcher: items submitted one at a time are written together, each submitter gets its own result."""

from __future__ import annotations

import asyncio
import threading

import pytest

from crawler.crawl.batching import Batcher


class Recorder:
    """A `write` that keeps the batches it was given and doubles each number; 13 is refused."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.threads: set[str] = set()

    def __call__(self, items: list[int]) -> list[int | Exception]:
        self.batches.append(list(items))
        self.threads.add(threading.current_thread().name)
        return [ValueError(f"{item} refused") if item == 13 else item * 2 for item in items]


def test_a_full_batch_is_written_at_once_and_the_rest_after_the_delay() -> None:
    recorder = Recorder()

    async def scenario() -> list[int]:
        batcher = Batcher(recorder, size=3, delay=0.05)
        return list(await asyncio.gather(*(batcher.submit(number) for number in range(5))))

    assert asyncio.run(scenario()) == [0, 2, 4, 6, 8]
    assert recorder.batches == [[0, 1, 2], [3, 4]]


def test_a_lone_item_waits_no_longer_than_the_delay() -> None:
    recorder = Recorder()

    async def scenario() -> tuple[int, float]:
        loop = asyncio.get_running_loop()
        batcher = Batcher(recorder, size=50, delay=0.05)
        started = loop.time()
        result = await batcher.submit(21)
        return result, loop.time() - started

    result, waited = asyncio.run(scenario())
    assert result == 42
    assert recorder.batches == [[21]]
    assert waited >= 0.05


def test_an_item_that_fails_raises_to_its_own_submitter_only() -> None:
    recorder = Recorder()

    async def scenario() -> list[int | BaseException]:
        batcher = Batcher(recorder, size=3, delay=0.05)
        return list(
            await asyncio.gather(*(batcher.submit(number) for number in (12, 13, 14)), return_exceptions=True)
        )

    first, failed, last = asyncio.run(scenario())
    assert (first, last) == (24, 28)
    assert isinstance(failed, ValueError) and str(failed) == "13 refused"


def test_a_write_that_raises_fails_every_item_of_its_batch_and_not_the_next() -> None:
    calls: list[list[int]] = []

    def write(items: list[int]) -> list[int]:
        calls.append(items)
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        return items

    async def scenario() -> tuple[list[int | BaseException], int]:
        batcher = Batcher(write, size=2, delay=0.05)
        first = await asyncio.gather(batcher.submit(1), batcher.submit(2), return_exceptions=True)
        return list(first), await batcher.submit(3)

    first, later = asyncio.run(scenario())
    assert [str(result) for result in first] == ["database is locked", "database is locked"]
    assert later == 3


def test_batches_are_written_one_at_a_time() -> None:
    running = 0
    most_at_once = 0
    guard = threading.Lock()

    def slow_write(items: list[int]) -> list[int]:
        nonlocal running, most_at_once
        with guard:
            running += 1
            most_at_once = max(most_at_once, running)
        threading.Event().wait(0.02)
        with guard:
            running -= 1
        return items

    async def scenario() -> list[int]:
        batcher = Batcher(slow_write, size=2, delay=0.01)
        return list(await asyncio.gather(*(batcher.submit(number) for number in range(8))))

    assert asyncio.run(scenario()) == list(range(8))
    assert most_at_once == 1


def test_a_write_runs_in_a_worker_thread_not_on_the_event_loop() -> None:
    recorder = Recorder()

    async def scenario() -> int:
        return await Batcher(recorder, size=1, delay=0.01).submit(1)

    assert asyncio.run(scenario()) == 2
    assert recorder.threads and threading.current_thread().name not in recorder.threads


@pytest.mark.parametrize("size", [1, 4])
def test_every_submitter_gets_the_result_of_its_own_item(size: int) -> None:
    recorder = Recorder()

    async def scenario() -> list[int]:
        batcher = Batcher(recorder, size=size, delay=0.01)
        return list(await asyncio.gather(*(batcher.submit(number) for number in (5, 1, 9, 3))))

    assert asyncio.run(scenario()) == [10, 2, 18, 6]
