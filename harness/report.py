"""Renders a Run: the scenario x engine matrix in the terminal (Rich), and JSON."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .results import Run

__all__ = ["print_matrix"]

_STYLE = {
    "passed": "[green]pass[/green]",
    "failed": "[bold red]FAIL[/bold red]",
    "xfailed": "[yellow]xfail[/yellow]",
    "xpassed": "[magenta]XPASS[/magenta]",
}


def print_matrix(run: Run, console: Console | None = None) -> None:
    """The matrix with times, engine versions, failure details and a verdict."""
    console = console or Console()
    projects = list(run.engines) or sorted({c.project for c in run.cells})
    table = Table(title=f"pyscript-storage suite - {run.interpreter}", title_justify="left")
    table.add_column("scenario")
    for project in projects:
        table.add_column(f"{project}\n[dim]{run.engines.get(project, '')}[/dim]", justify="center")
    scenarios = list(dict.fromkeys(c.scenario for c in run.cells))
    for scenario in scenarios:
        row = [scenario]
        for project in projects:
            cell = next((c for c in run.cells if c.scenario == scenario and c.project == project), None)
            row.append(f"{_STYLE[cell.status]} [dim]{cell.seconds:.1f}s[/dim]" if cell else "-")
        table.add_row(*row)
    console.print(table)
    console.print(f"wheel: {run.wheel['name']} {run.wheel['version']}  sha256 {run.wheel['sha256']}")
    for cell in run.cells:
        for note in cell.notes:
            console.print(f"[yellow]note[/yellow] {cell.scenario} x {cell.project}: {note}", highlight=False)
        if cell.status != "passed":
            console.rule(f"{cell.scenario} x {cell.project}: {cell.status}")
            console.print(cell.detail, markup=False, highlight=False)
            if cell.screenshot:
                console.print(f"screenshot: {cell.screenshot}", markup=False)
    counts = ", ".join(f"{n} {status}" for status, n in sorted(run.counts().items()))
    verdict = "[green]OK[/green]" if run.ok else "[bold red]FAILED[/bold red]"
    console.print(f"{verdict}: {counts} in {run.seconds:.1f}s")
