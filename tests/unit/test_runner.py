"""The runner's pure parts: which cells may share a browser, and what a broken attempt says."""

from __future__ import annotations

from pyscript_storage_harness.runner import _broke_because
from pyscript_storage_harness.scenarios import SCENARIOS, Kill, Python, Reload, Restart, Scenario, Visit


def test_only_restarts_kills_and_quotas_need_a_browser_of_their_own() -> None:
    assert not Scenario("r", "", (Python("1"), Reload(), Visit(1))).needs_own_browser
    assert Scenario("s", "", (Python("1"), Restart())).needs_own_browser
    assert Scenario("k", "", (Kill(damage=True),)).needs_own_browser
    assert Scenario("q", "", (Python("1"),), quota=1000).needs_own_browser
    own = sorted(s.name for s in SCENARIOS if s.needs_own_browser)
    restarts = ["restart", "scripting-counter", "durability", "storage-process-crash"]
    assert own == sorted([*restarts, "mirror", "damaged-files", "quota"])


def test_a_broken_attempt_is_told_by_its_error_line_and_step() -> None:
    detail = (
        "Traceback (most recent call last):\n"
        '  File "runner.py", line 1, in _run_steps\n'
        "playwright._impl._errors.TargetClosedError: Target page, context or browser has been closed\n"
        "Browser logs:\n"
        "  <launching> /usr/lib/chromium/chromium\n"
        "during step 2 (Python) of scripting-counter\n"
    )
    assert _broke_because(detail) == (
        "playwright._impl._errors.TargetClosedError: Target page, context or browser has been closed "
        "(during step 2 (Python) of scripting-counter)"
    )
    assert _broke_because("page did not boot (twice): no answer") == "page did not boot (twice): no answer"
    assert _broke_because("") == "?"


def test_every_row_of_the_matrix_runs_or_says_why_not() -> None:
    """No scenario leaves an interpreter's row out without a word: it declares it or gives a reason."""
    from pyscript_storage_harness.runner import cases
    from pyscript_storage_harness.scenarios import INTERPRETERS, SCENARIOS

    for scenario in SCENARIOS:
        for interpreter in INTERPRETERS:
            assert interpreter in scenario.interpreters or scenario.not_applicable.get(interpreter), (
                scenario.name,
                interpreter,
            )
    rows = cases(SCENARIOS, INTERPRETERS)
    assert len(rows) == 2 * len(SCENARIOS)
    scaling = next(s for s in SCENARIOS if s.name == "scaling")
    assert ("scaling", "micropython") in [(s.name, i) for s, i in rows]
    assert "16 bits" in (scaling.why_not("chromium", "micropython") or "")
    assert scaling.why_not("chromium", "pyodide") is None
    crash = next(s for s in SCENARIOS if s.name == "storage-process-crash")
    assert crash.why_not("webkit", "micropython") is None
    assert "browser process" in (crash.why_not("firefox", "pyodide") or "")
    assert cases(SCENARIOS, ("pyodide",)) == [(s, "pyodide") for s in SCENARIOS]  # a row per choice
