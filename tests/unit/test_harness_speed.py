"""benchmarks.harness_speed's tables from a run's JSON: time per phase, CPU per part."""

from __future__ import annotations

from benchmarks.harness_speed import cpu_table, phase_table

RUN = {
    "cells": [
        {"project": "chromium", "seconds": 4.0, "spent": {"page loads": 3.0, "steps and the rest": 1.0},
         "cpu": {"page loads": 2.5, "steps and the rest": 0.5, "harness": 0.25}},
        {"project": "webkit", "seconds": 6.0, "spent": {"browser starts": 1.0, "page loads": 5.0},
         "cpu": {"browser starts": 0.5, "page loads": 6.0}},
        {"project": "webkit", "seconds": 1.0},  # a report from before CPU was counted
    ]
}  # fmt: skip


def test_the_phase_table_sums_each_engine_then_all() -> None:
    chromium, webkit, every = phase_table(RUN)
    assert (chromium["engine"], chromium["cells"], chromium["seconds"]) == ("chromium", 1, 4.0)
    assert (webkit["cells"], webkit["seconds"], webkit["page loads"], webkit["browser starts"]) == (
        2,
        7.0,
        5.0,
        1.0,
    )
    assert (every["engine"], every["seconds"], every["page loads"]) == ("all", 11.0, 8.0)


def test_the_cpu_table_sums_the_parts_of_each_engine_then_all() -> None:
    chromium, webkit, every = cpu_table(RUN)
    assert (chromium["cpu"], chromium["harness"], chromium["page loads"]) == (3.25, 0.25, 2.5)
    assert (webkit["cells"], webkit["cpu"], webkit["browser starts"]) == (2, 6.5, 0.5)
    assert (every["cpu"], every["page loads"], every["steps and the rest"]) == (9.75, 8.5, 0.5)
