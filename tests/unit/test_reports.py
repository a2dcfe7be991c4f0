"""The reports: JUnit read back by a real JUnit consumer (junitparser), HTML checked for content."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml, Skipped

from pyscript_storage_harness import cli
from pyscript_storage_harness.report import write_html, write_junit
from pyscript_storage_harness.results import Cell, Run

# A 1x1 PNG: the smallest real screenshot.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def sample_run(tmp_path: Path) -> Run:
    shot = tmp_path / "reload-firefox.png"
    shot.write_bytes(PNG)
    run = Run(
        wheel={"name": "pyscript-storage", "version": "0.1.0", "sha256": "ab" * 32},
        interpreter="Pyodide 314.0.7",
        engines={"chromium": "Chromium 156", "firefox": "Firefox 153"},
        seconds=12.5,
    )
    run.cells = [
        Cell("reload", "chromium", "passed", 1.5, "Chromium 156"),
        Cell("reload", "firefox", "failed", 2.0, "Firefox 153", "AssertionError: <lost> & gone", str(shot)),
        Cell("quota", "chromium", "xfailed", 3.0, "Chromium 156", "expected failure: no knob"),
        Cell("quota", "firefox", "passed", 4.0, "Firefox 153", notes=["page boot retried"]),
        Cell(
            "durability", "firefox", "passed", 9.0, "Firefox 153", figures={"synced keys lost": 0},
            spent={"browser starts": 1.5, "page loads": 3.0, "steps and the rest": 4.5},
        ),
    ]  # fmt: skip
    return run


def test_junit_is_read_by_a_junit_consumer(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit(sample_run(tmp_path), path)
    xml = JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"pyscript-storage.chromium", "pyscript-storage.firefox"}
    firefox = suites["pyscript-storage.firefox"]
    assert (firefox.tests, firefox.failures, firefox.skipped) == (3, 1, 0)
    cases = {(case.classname, case.name): case for suite in xml for case in suite}
    assert len(cases) == 5
    failed = cases[("firefox", "reload")]
    assert isinstance(failed.result[0], Failure)
    assert "AssertionError: <lost> & gone" in failed.result[0].text
    assert isinstance(cases[("chromium", "quota")].result[0], Skipped)
    assert cases[("chromium", "reload")].is_passed and cases[("chromium", "reload")].time == 1.5
    properties = {p.name: p.value for p in suites["pyscript-storage.chromium"].properties()}
    assert properties["engine_version"] == "Chromium 156" and properties["wheel_sha256"] == "ab" * 32


def test_html_is_self_contained_with_tracebacks_and_screenshots(tmp_path: Path) -> None:
    path = tmp_path / "suite.html"
    write_html(sample_run(tmp_path), path)
    html = path.read_text()
    assert "FAILED" in html and "Chromium 156" in html and "Firefox 153" in html
    assert "AssertionError: &lt;lost&gt; &amp; gone" in html  # escaped, not markup
    assert "data:image/png;base64," + base64.b64encode(PNG).decode() in html
    assert "page boot retried" in html and "ab" * 32 in html
    assert "synced keys lost: <b>0</b>" in html
    assert 'src="http' not in html and "<link" not in html  # nothing fetched from elsewhere
    # the longest cell's bar is the widest, split into its phases
    phases = "browser starts 1.5 s, page loads 3.0 s, steps and the rest 4.5 s"
    assert f'style="width: 120px" title="{phases}"' in html
    assert 'class="phase-2" style="width: 33.3%"' in html


def test_micropython_cells_are_rows_of_their_own(tmp_path: Path) -> None:
    """A scenario on both interpreters is two rows, in the terminal, JUnit and HTML alike."""
    import io

    from rich.console import Console

    from pyscript_storage_harness.report import print_matrix

    run = sample_run(tmp_path)
    run.cells.append(Cell("reload", "firefox", "passed", 0.9, "Firefox 153", interpreter="micropython"))
    assert run.cells[-1].case == "reload (micropython)" and run.cells[0].case == "reload"
    out = io.StringIO()
    print_matrix(run, Console(file=out, width=200))
    rows = [line for line in out.getvalue().splitlines() if line.startswith("│ reload")]
    assert len(rows) == 2 and "reload (micropython)" in rows[1] and "pass 0.9s" in rows[1]
    write_junit(run, tmp_path / "junit.xml")
    names = {case.name for suite in JUnitXml.fromfile(str(tmp_path / "junit.xml")) for case in suite}
    assert {"reload", "reload (micropython)"} <= names
    write_html(run, tmp_path / "suite.html")
    assert "<td>reload (micropython)</td>" in (tmp_path / "suite.html").read_text()


def test_every_report_says_when_where_and_from_what_it_ran(tmp_path: Path) -> None:
    import json

    run = sample_run(tmp_path)
    run.wheel |= {"origin": "built from /src", "commit": "c0ffee+dirty"}
    run.write_json(tmp_path / "run.json")
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["started"].endswith("+00:00") and data["host"] and data["harness"]
    assert data["wheel"]["commit"] == "c0ffee+dirty" and data["title"] == "pyscript-storage suite: FAILED"
    write_junit(run, tmp_path / "junit.xml")
    properties = {
        p.name: p.value for s in JUnitXml.fromfile(str(tmp_path / "junit.xml")) for p in s.properties()
    }
    assert properties["wheel_commit"] == "c0ffee+dirty" and properties["started"] == run.started
    write_html(run, tmp_path / "suite.html")
    html = (tmp_path / "suite.html").read_text()
    assert run.started in html and "c0ffee+dirty" in html and "built from /src" in html


def test_a_gates_verdict_is_in_every_report(tmp_path: Path) -> None:
    import json

    run = sample_run(tmp_path)
    run.selection = "--engine firefox"
    run.close_gate(("passed", "xfailed"))
    assert run.verdict == "closed" and run.blocking == ["reload x firefox (failed)"] and not run.ok
    run.write_json(tmp_path / "gate.json")
    data = json.loads((tmp_path / "gate.json").read_text())
    assert (data["kind"], data["verdict"], data["title"]) == (
        "gate",
        "closed",
        "pyscript-storage gate: CLOSED",
    )
    assert data["blocking"] == ["reload x firefox (failed)"] and data["selection"] == "--engine firefox"
    write_html(run, tmp_path / "gate.html")
    html = (tmp_path / "gate.html").read_text()
    assert "<title>pyscript-storage gate: CLOSED</title>" in html and "reload x firefox (failed)" in html
    assert "only --engine firefox" in html
    write_junit(run, tmp_path / "gate.xml")
    assert 'name="pyscript-storage gate"' in (tmp_path / "gate.xml").read_text()
    run.cells = [c for c in run.cells if c.status in ("passed", "xfailed")]
    run.close_gate(("passed", "xfailed"))
    assert run.verdict == "open" and run.ok and run.title == "pyscript-storage gate: OPEN"
    run.cells = []
    run.close_gate(("passed",))
    assert run.verdict == "closed" and run.blocking == ["no cells ran"]


def test_the_terminal_lists_the_slowest_cells_longest_first_with_their_phases(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from pyscript_storage_harness.report import print_matrix

    run = sample_run(tmp_path)
    out = io.StringIO()
    print_matrix(run, Console(file=out, width=200))
    text = out.getvalue()
    listed = text[text.index("slowest cells:") :].splitlines()[1:6]
    assert [line.split()[0] for line in listed] == ["9.0s", "4.0s", "3.0s", "2.0s", "1.5s"]
    assert "durability x firefox  (browser starts 1.5, page loads 3.0, steps and the rest 4.5)" in listed[0]
    assert [cell.seconds for cell in run.slowest(2)] == [9.0, 4.0]


def test_report_renders_any_runs_json_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What bin/suite wrote (--json) becomes the matrix, HTML and JUnit afterwards, unsharded."""
    run = sample_run(tmp_path)
    run.write_json(tmp_path / "suite.json")
    html, junit = tmp_path / "again.html", tmp_path / "again.xml"
    args = ["report", str(tmp_path / "suite.json"), "--html", str(html), "--junit", str(junit)]
    assert cli.main(args) == 1  # the run had a failed cell: as it ended
    said = capsys.readouterr().out
    assert "reload" in said and "durability" in said and f"HTML report: {html}" in said
    assert "AssertionError: &lt;lost&gt; &amp; gone" in html.read_text()
    suites = JUnitXml.fromfile(str(junit))
    assert sum(suite.tests for suite in suites) == 5
    run.cells = [cell for cell in run.cells if cell.status != "failed"]
    run.close_gate(("passed",))
    run.write_json(tmp_path / "gate.json")
    assert cli.main(["report", str(tmp_path / "gate.json")]) == 1
    said = " ".join(capsys.readouterr().out.split())
    assert "GATE CLOSED for pyscript-storage 0.1.0: quota x chromium (xfailed)" in said


@pytest.mark.parametrize(
    ("text", "said"),
    [("[1, 2]", "not a JSON report of the harness"), ('{"a": 1}', "not a JSON report"), ("{", "not a JSON")],
)
def test_report_refuses_what_is_not_a_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, said: str
) -> None:
    (tmp_path / "x.json").write_text(text)
    assert cli.main(["report", str(tmp_path / "x.json")]) == 2
    assert said in capsys.readouterr().out
    assert cli.main(["report", str(tmp_path / "missing.json")]) == 2
    assert "no such report" in capsys.readouterr().out


def test_a_cell_the_engine_cannot_have_is_na_with_its_reason_and_never_closes_a_gate(tmp_path: Path) -> None:
    why = "not applicable: IndexedDB runs in the browser process itself"
    run = Run(wheel={"name": "w", "version": "1", "sha256": "00"}, interpreter="Pyodide", seconds=1.0)
    run.cells = [
        Cell("reload", "chromium", "passed", 1.0, "Chromium 156"),
        Cell("storage-process-crash", "chromium", "n/a", 0.0, "Chromium 156", why),
    ]
    run.close_gate(("passed",))
    assert run.verdict == "open" and run.blocking == [] and run.ok
    write_junit(run, tmp_path / "junit.xml")
    (case,) = [
        c for suite in JUnitXml.fromfile(str(tmp_path / "junit.xml")) for c in suite if c.name != "reload"
    ]
    (skipped,) = case.result
    assert isinstance(skipped, Skipped) and skipped.type == "n/a" and skipped.message == why
    write_html(run, tmp_path / "run.html")
    html = (tmp_path / "run.html").read_text()
    assert '<td class="na">' in html and "IndexedDB runs in the browser process itself" in html
    run.cells.append(Cell("quota", "chromium", "xfailed", 1.0, "Chromium 156", "expected failure: a bug"))
    run.close_gate(("passed",))
    assert run.verdict == "closed" and run.blocking == ["quota x chromium (xfailed)"]
    run.cells = run.cells[1:2]
    run.close_gate(("passed",))
    assert run.blocking == ["no cells ran"]  # only n/a cells: nothing was proven


def test_every_report_says_what_the_cells_cost_in_cpu(tmp_path: Path) -> None:
    import io
    import json

    from rich.console import Console

    from pyscript_storage_harness.report import print_matrix

    run = sample_run(tmp_path)
    run.harness_cpu = 7.5
    run.cells[0].cpu = {"browser starts": 1.0, "page loads": 4.0, "steps and the rest": 0.5, "harness": 0.25}
    run.cells[4].cpu = {"browser starts": 2.0, "page loads": 3.0, "steps and the rest": 1.0, "harness": 0.5}
    assert run.cpu() == {"browser starts": 3.0, "page loads": 7.0, "steps and the rest": 1.5, "harness": 0.75}
    assert run.cpu("firefox") == run.cells[4].cpu
    out = io.StringIO()
    print_matrix(run, Console(file=out, width=200))
    assert (
        "CPU the cells cost: 12 s (browser starts 3 s, page loads 7 s, steps and the rest 2 s, harness 1 s); "
        "the harness process 8 s in all"
    ) in out.getvalue()
    run.write_json(tmp_path / "run.json")
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["cpu"] == run.cpu() and data["harness_cpu"] == 7.5
    assert data["cells"][4]["cpu"]["harness"] == 0.5
    write_html(run, tmp_path / "run.html")
    html = (tmp_path / "run.html").read_text()
    table = html[html.index('<table id="cpu">') : html.index("</table>", html.index('<table id="cpu">'))]
    assert "<tr><td>chromium</td><td>5.8</td><td>1.0</td><td>4.0</td><td>0.5</td><td>0.2</td></tr>" in table
    assert "<tr><td>firefox</td><td>6.5</td><td>2.0</td><td>3.0</td><td>1.0</td><td>0.5</td></tr>" in table
    assert "The harness process (the cells' threads, the server, the reports): 7.5 s." in html
