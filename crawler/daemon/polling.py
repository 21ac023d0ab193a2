"""Adaptive polling: a source that keeps yielding new stories is read more often, a quiet one less."""

from __future__ import annotations

from crawler.config import ScheduleConfig


def poll_bounds(schedule: ScheduleConfig) -> tuple[float, float]:
    """The adaptive range in seconds; it always contains the configured interval."""
    interval = (schedule.interval_minutes or schedule.min_interval_minutes) * 60
    low, high = schedule.min_interval_minutes * 60, schedule.max_interval_minutes * 60
    return min(low, interval), max(high, interval)


def current_poll_interval(schedule: ScheduleConfig, persisted_seconds: float | None) -> float:
    """The interval in force: the persisted adaptive one, else the configured one, within the bounds."""
    low, high = poll_bounds(schedule)
    seconds = persisted_seconds or (schedule.interval_minutes or 0) * 60 or low
    return min(max(seconds, low), high)


def next_poll_interval(schedule: ScheduleConfig, persisted_seconds: float | None, found_new: bool) -> float:
    """Halve the interval after a run that found new stories, double it after one that found none."""
    low, high = poll_bounds(schedule)
    seconds = current_poll_interval(schedule, persisted_seconds)
    return max(seconds / 2, low) if found_new else min(seconds * 2, high)
