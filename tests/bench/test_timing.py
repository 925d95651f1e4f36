"""The bench's timing helpers: a product and its floor measured in turn see the same load."""

from __future__ import annotations

from bench.timing import measure_interleaved, measure_together


def test_measure_together_calls_each_in_turn_with_the_same_input() -> None:
    calls: list[tuple[str, int]] = []
    first, second = measure_together(
        [lambda i: calls.append(("product", i)), lambda i: calls.append(("floor", i))], reps=4, warmup=1
    )
    assert calls == [(side, i) for i in range(5) for side in ("product", "floor")]
    assert first.n == second.n == 4


def test_measure_interleaved_spreads_the_slow_floor_evenly_through_the_product() -> None:
    calls: list[str] = []
    product, floor = measure_interleaved(
        lambda _i: calls.append("p"), lambda _i: calls.append("F"), reps=12, floor_reps=3, warmup=2
    )
    assert (product.n, floor.n) == (12, 3)
    timed = "".join(calls[3:])  # after 2 warm-up product calls and 1 warm-up floor call
    assert timed == "ppppFppppFppppF"
    assert measure_interleaved(lambda _i: None, lambda _i: None, reps=2, floor_reps=9)[1].n == 2
