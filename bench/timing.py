"""Timing and the result rows the report prints."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Stat:
    """Median and 95th percentile of repeated measurements, in the row's unit."""

    median: float
    p95: float
    n: int
    cpu: float | None = None  # median CPU time of this thread, when measured in process

    @classmethod
    def of(cls, samples: list[float], cpu: list[float] | None = None) -> Stat:
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
        return cls(statistics.median(ordered), p95, len(ordered), statistics.median(cpu) if cpu else None)


@dataclass
class Row:
    """One operation: what the product took, what the floor took, and the SPEC target."""

    operation: str
    unit: str  # "ms", "s" or "MB"
    target: float | None
    result: Stat | None
    floor: Stat | None
    floor_what: str
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    # The SPEC's ratio target (result ÷ floor), when this row has one: the target that holds on any machine.
    ratio_target: float | None = None

    @property
    def cpu_meaningful(self) -> bool:
        # Round trips and process starts mostly wait on another process: their thread time says little.
        return self.unit != "MB" and not self.extra.get("waits")

    @property
    def ratio(self) -> float | None:
        if self.result is None or self.floor is None or self.floor.median <= 0:
            return None
        return self.result.median / self.floor.median

    @property
    def meets(self) -> bool | None:
        if self.result is None or self.target is None:
            return None
        return self.result.median <= self.target

    @property
    def meets_ratio(self) -> bool | None:
        if self.ratio is None or self.ratio_target is None:
            return None
        return self.ratio <= self.ratio_target

    def as_json(self) -> dict[str, Any]:
        """What the growth table across scales needs from a run (bench/growth.py)."""
        return {
            "operation": self.operation,
            "unit": self.unit,
            "target": self.target,
            "median": self.result.median if self.result else None,
            "cpu": self.result.cpu if self.result and self.cpu_meaningful else None,
            "floor": self.floor.median if self.floor else None,
            "ratio_target": self.ratio_target,
        }


def measure(fn: Callable[[int], Any], *, reps: int, warmup: int = 5, scale: float = 1000.0) -> Stat:
    """Call `fn(i)` `warmup` times unmeasured, then `reps` times; durations in ms (scale 1000).

    `i` lets a benchmark cycle through its inputs. The garbage collector is left on: users have it.
    The thread's CPU time is kept beside the wall time: on a busy machine (other processes on the
    same cores) wall time grows while CPU time shows what the code itself costs.
    """
    for i in range(warmup):
        fn(i)
    samples: list[float] = []
    cpu: list[float] = []
    gc.collect()
    for i in range(reps):
        _timed(fn, warmup + i, samples, cpu, scale)
    return Stat.of(samples, cpu)


def _timed(fn: Callable[[int], Any], i: int, wall: list[float], cpu: list[float], scale: float) -> None:
    """Call `fn(i)`; append its wall-clock and thread CPU time (in the unit `scale` gives)."""
    started, cpu_started = time.perf_counter(), time.thread_time()
    fn(i)
    wall.append((time.perf_counter() - started) * scale)
    cpu.append((time.thread_time() - cpu_started) * scale)


def measure_together(
    fns: list[Callable[[int], Any]], *, reps: int, warmup: int = 5, scale: float = 1000.0
) -> list[Stat]:
    """`measure` for several functions at once: each called in turn, round after round, so a change
    in the machine's load (other processes on the same 2 cores) moves all of them alike and their
    ratio holds. For a product and its floor; the same `i` for each in a round."""
    for i in range(warmup):
        for fn in fns:
            fn(i)
    samples: list[list[float]] = [[] for _ in fns]
    cpu: list[list[float]] = [[] for _ in fns]
    gc.collect()
    for i in range(reps):
        for fn, wall, thread in zip(fns, samples, cpu, strict=True):
            _timed(fn, warmup + i, wall, thread, scale)
    return [Stat.of(wall, thread) for wall, thread in zip(samples, cpu, strict=True)]


def measure_interleaved(
    product: Callable[[int], Any], floor: Callable[[int], Any], *, reps: int, floor_reps: int, warmup: int = 5
) -> tuple[Stat, Stat]:
    """`measure_together` for a floor far slower than the product (a full scan beside an indexed
    lookup): the floor's `floor_reps` calls spread evenly through the product's `reps`, so both sides
    see the same stretch of the machine's load."""
    floor_reps = max(1, min(floor_reps, reps))
    for i in range(warmup):
        product(i)
    floor(0)
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    gc.collect()
    for i in range(reps):
        calls: list[tuple[int, Callable[[int], Any]]] = [(0, product)]
        if (i + 1) * floor_reps // reps > i * floor_reps // reps:  # floor_reps times, evenly spaced
            calls.append((1, floor))
        for side, fn in calls:
            _timed(fn, warmup + i, wall[side], cpu[side], 1000.0)
    return Stat.of(wall[0], cpu[0]), Stat.of(wall[1], cpu[1])


def skipped(
    operation: str, unit: str, target: float | None, why: str, floor: Stat | None = None, floor_what: str = ""
) -> Row:
    """A row for an operation that could not be measured in this run, with the reason."""
    return Row(operation, unit, target, None, floor, floor_what, note=f"skipped: {why}")
