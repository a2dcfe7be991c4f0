"""Issue #16's targets: each judged on its worst workload, from one run's medians."""

from __future__ import annotations

from benchmarks.targets import TARGETS, judge, markdown, rows


def _target(name: str):  # type: ignore[no-untyped-def]
    return next(t for t in TARGETS if t.name == name)


def test_a_target_is_judged_on_its_worst_workload() -> None:
    medians = {
        "first-open-1000": {"ours": 0.04, "upstream": 0.08, "raw": 0.008},
        "first-open-10000": {"ours": 0.08, "upstream": 0.9, "raw": 0.05},
        "write-1000": {"ours": 1.0, "upstream": 9.0, "raw": 0.1},  # not an open: not counted
    }
    versus_upstream = judge(_target("open vs upstream"), medians)
    assert (versus_upstream.value, versus_upstream.workload, versus_upstream.met) == (
        2.0,
        "first-open-1000",
        False,
    )
    versus_raw = judge(_target("open vs raw"), medians)
    assert (versus_raw.value, versus_raw.workload, versus_raw.met) == (5.0, "first-open-1000", False)
    assert versus_raw.text("{:.2f}x") == "5.00x missed (first-open-1000)"


def test_met_missed_and_not_measured() -> None:
    writes = {"write-10000": {"ours": 1.2, "raw": 1.0}, "write-100000": {"ours": 11.0, "raw": 10.0}}
    met = judge(_target("write vs raw"), writes)
    assert met.met is True and met.text("{:.2f}x") == "1.20x met (write-10000)"
    failed = {"write-10000": {"ours": None, "raw": 1.0}}  # ours failed in this run
    assert judge(_target("write vs raw"), failed).text("{:.2f}x") == "not measured"
    assert judge(_target("write vs raw"), {}).met is None


def test_micropython_targets_take_ours_on_micropython() -> None:
    medians = {"write-10000": {"ours": 1.0, "ours-mpy": 2.6, "raw": 1.0}}
    assert judge(_target("write vs raw, on MicroPython"), medians).value == 2.6
    assert judge(_target("MicroPython vs Pyodide"), medians).value == 2.6


def test_a_figure_beside_the_targets_is_neither_met_nor_missed() -> None:
    medians = {"latency-1000": {"ours": 1.1, "raw": 0.5, "python-floor": 1.0}}
    floor = judge(_target("strict sync vs Python's floor"), medians)
    assert floor.met is None and floor.text("{:.2f}x") == "1.10x (latency-1000)"
    assert judge(_target("strict sync vs raw"), medians).met is False


def test_the_markdown_table_has_a_column_per_engine_and_a_row_per_target() -> None:
    report = {
        "engines": {
            "chromium": {"version": "Chromium 156", "medians": {"latency-1000": {"ours": 1.0, "raw": 0.9}}},
            "firefox": {"version": "Firefox 153", "medians": {}},
        }
    }
    lines = markdown(report).splitlines()
    assert lines[0] == "| target | Chromium 156 | Firefox 153 |"
    assert len(lines) == 2 + len(TARGETS)
    strict = next(line for line in lines if line.startswith("| 1,000 x (set, sync) at most 1.2x"))
    assert strict.endswith("| 1.11x met (latency-1000) | not measured |")
    assert [len(judged) for _, judged in rows(report)] == [2] * len(TARGETS)  # an engine each
