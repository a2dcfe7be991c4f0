"""Renders a Run four ways: the terminal matrix (Rich), JUnit XML, HTML (and JSON, in results).

JUnit: one testcase per scenario x engine, classname ``<project>``, for CI
systems. HTML: one self-contained file (Jinja2), the matrix, engine versions,
tracebacks and each failed cell's screenshot inlined as a data URI.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from rich.console import Console
from rich.table import Table

from .results import Run

__all__ = ["print_matrix", "write_junit", "write_html"]

_STYLE = {
    "passed": "[green]pass[/green]",
    "failed": "[bold red]FAIL[/bold red]",
    "xfailed": "[yellow]xfail[/yellow]",
    "xpassed": "[magenta]XPASS[/magenta]",
    "flaky": "[yellow]flaky[/yellow]",
    "n/a": "[dim]n/a[/dim]",
}


def print_matrix(run: Run, console: Console | None = None) -> None:
    """The matrix with times, engine versions, failure details and a verdict."""
    console = console or Console()
    projects = list(run.engines) or sorted({c.project for c in run.cells})
    table = Table(title=f"pyscript-storage {run.kind} - {run.interpreter}", title_justify="left")
    table.add_column("scenario")
    for project in projects:
        table.add_column(f"{project}\n[dim]{run.engines.get(project, '')}[/dim]", justify="center")
    scenarios = list(dict.fromkeys(c.case for c in run.cells))
    for scenario in scenarios:
        row = [scenario]
        for project in projects:
            cell = next((c for c in run.cells if c.case == scenario and c.project == project), None)
            row.append(f"{_STYLE[cell.status]} [dim]{cell.seconds:.1f}s[/dim]" if cell else "-")
        table.add_row(*row)
    console.print(table)
    if run.wheel:
        console.print(f"wheel: {run.wheel['name']} {run.wheel['version']}  sha256 {run.wheel['sha256']}")
    console.print(_provenance(run), highlight=False)
    for cell in run.cells:
        if cell.figures:
            shown = ", ".join(f"{name} {value}" for name, value in cell.figures.items())
            console.print(f"[bold]{cell.case} x {cell.project}[/bold]: {shown}", highlight=False)
    for cell in run.cells:
        for note in cell.notes:
            console.print(f"[yellow]note[/yellow] {cell.case} x {cell.project}: {note}", highlight=False)
        if cell.status != "passed":
            console.rule(f"{cell.case} x {cell.project}: {cell.status}")
            console.print(cell.detail, markup=False, highlight=False)
            if cell.screenshot:
                console.print(f"screenshot: {cell.screenshot}", markup=False)
    spent = run.spent()
    if spent:
        shown = ", ".join(f"{what} {seconds:.0f} s" for what, seconds in spent.items())
        console.print(f"time spent: {shown}", highlight=False)
    used = run.cpu()
    if used:
        shown = ", ".join(f"{what} {seconds:.0f} s" for what, seconds in used.items())
        harness = f"; the harness process {run.harness_cpu:.0f} s in all" if run.harness_cpu else ""
        console.print(f"CPU the cells cost: {sum(used.values()):.0f} s ({shown}){harness}", highlight=False)
    if len(run.cells) > 1:
        console.print("slowest cells:", highlight=False)
        for cell in run.slowest(10):
            phases = ", ".join(f"{what} {seconds:.1f}" for what, seconds in cell.spent.items())
            console.print(
                f"  {cell.seconds:6.1f}s  {cell.case} x {cell.project}  ({phases})", highlight=False
            )
    counts = _summary(run)
    verdict = "[green]OK[/green]" if run.ok else "[bold red]FAILED[/bold red]"
    console.print(f"{verdict}: {counts} in {run.seconds:.1f}s")


def _provenance(run: Run) -> str:
    commit = f", commit {run.wheel['commit']}" if run.wheel.get("commit") else ""
    origin = run.wheel.get("origin", "")
    part = f"; only {run.selection}" if run.selection else ""
    return f"{run.started} on {run.host}, harness {run.harness}; the wheel: {origin}{commit}{part}"


def _summary(run: Run) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(run.counts().items()))


def write_junit(run: Run, path: Path) -> None:
    """JUnit XML: a testsuite per project, a testcase per cell (xfailed is skipped, with the reason)."""
    suites = ET.Element(
        "testsuites", name=f"pyscript-storage {run.kind}", time=f"{run.seconds:.3f}", timestamp=run.started
    )
    projects = list(dict.fromkeys(cell.project for cell in run.cells))
    for project in projects:
        cells = [cell for cell in run.cells if cell.project == project]
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"pyscript-storage.{project}",
            tests=str(len(cells)),
            failures=str(sum(cell.status in ("failed", "xpassed") for cell in cells)),
            errors="0",
            skipped=str(sum(cell.status in ("xfailed", "n/a") for cell in cells)),
            time=f"{sum(cell.seconds for cell in cells):.3f}",
            timestamp=run.started,
            hostname=run.host.split(" ", 1)[0],
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("engine_version", run.engines.get(project, "unknown")),
            ("interpreter", run.interpreter),
            ("wheel", f"{run.wheel.get('name', '')} {run.wheel.get('version', '')}".strip()),
            ("wheel_sha256", run.wheel.get("sha256", "")),
            ("wheel_origin", run.wheel.get("origin", "")),
            ("wheel_commit", run.wheel.get("commit", "")),
            ("started", run.started),
            ("host", run.host),
            ("harness", run.harness),
            ("verdict", run.verdict or ""),
        ):
            ET.SubElement(properties, "property", name=name, value=value)
        for cell in cells:
            case = ET.SubElement(
                suite, "testcase", classname=project, name=cell.case, time=f"{cell.seconds:.3f}"
            )
            first_line = (cell.detail.strip().splitlines() or [cell.status])[-1][:500]
            if cell.status == "failed":
                ET.SubElement(case, "failure", message=first_line, type="ScenarioFailed").text = cell.detail
            elif cell.status == "xpassed":
                ET.SubElement(case, "failure", message="passed, but was expected to fail", type="XPASS")
            elif cell.status == "xfailed":
                ET.SubElement(case, "skipped", message=f"expected failure: {first_line}", type="xfail")
            elif cell.status == "n/a":
                ET.SubElement(case, "skipped", message=first_line, type="n/a")
            lines = list(cell.notes)
            if cell.figures:
                lines.append("figures: " + ", ".join(f"{k} {v}" for k, v in cell.figures.items()))
            if cell.screenshot:
                lines.append(f"screenshot: {cell.screenshot}")
            output = "\n".join(lines)
            if output:
                ET.SubElement(case, "system-out").text = output
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)


_LABELS = {
    "passed": "pass",
    "failed": "FAIL",
    "xfailed": "xfail",
    "xpassed": "XPASS",
    "flaky": "flaky",
    "n/a": "n/a",
}


def write_html(run: Run, path: Path) -> None:
    """One self-contained HTML file: matrix, versions, tracebacks, screenshots of failed cells."""
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent),
        autoescape=select_autoescape(default=True),
    )
    screenshots = {}
    for cell in run.cells:
        if cell.screenshot and Path(cell.screenshot).is_file():
            data = base64.b64encode(Path(cell.screenshot).read_bytes()).decode("ascii")
            screenshots[(cell.case, cell.project)] = data
    html = environment.get_template("report_html.j2").render(
        run=run,
        provenance=_provenance(run),
        counts=_summary(run),
        projects=list(run.engines) or list(dict.fromkeys(c.project for c in run.cells)),
        scenarios=list(dict.fromkeys(c.case for c in run.cells)),
        cells={(c.case, c.project): c for c in run.cells},
        labels=_LABELS,
        screenshots=screenshots,
        cpu={project: run.cpu(project) for project in dict.fromkeys(c.project for c in run.cells)},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, "utf-8")
