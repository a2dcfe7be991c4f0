"""``pyscript-storage-harness doctor``: which engines and tools this machine has, and the fix for each gap."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from . import assets
from .config import Config
from .drivers import LAUNCHER, SYSTEM_PYTHON, playwright_webkit_installed
from .engines import engine

__all__ = ["Check", "checks", "print_checks"]

_APT = "apt-get install -y"


@dataclass(frozen=True)
class Check:
    what: str
    ok: bool
    found: str  # version or path, or what is missing
    fix: str = ""


def _version(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if done.returncode == 0 and lines else None


def _tool(what: str, path: str, fix: str, version_args: list[str] | None = None) -> Check:
    found = shutil.which(path) or (path if Path(path).exists() else None)
    if found is None:
        return Check(what, False, f"{path} not found", fix)
    version = _version([found, *version_args]) if version_args else None
    return Check(what, True, version or found)


def checks(config: Config) -> list[Check]:
    """Every engine of the config, its driver, and the tools the harness needs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        has_playwright_webkit = playwright_webkit_installed(playwright)
    found: list[Check] = []
    for project in config.projects:
        if project.driver == "playwright" or (project.driver == "auto" and has_playwright_webkit):
            # A project that names an executable runs Debian's build; one that does not, Playwright's own
            packages = " ".join(engine(project.engine).debian_packages) if project.executable else ""
            fix = f"{_APT} {packages}" if packages else f"playwright install {project.engine}"
            if project.executable:
                check = _tool(f"{project.name} (Playwright)", project.executable, fix, ["--version"])
            else:
                check = Check(f"{project.name} (Playwright)", True, "Playwright's own build")
            found.append(check)
            continue
        found.append(
            _tool(
                f"{project.name} (WebKitGTK via Selenium)",
                project.webdriver,
                f"{_APT} webkit2gtk-driver",
                ["--version"],
            )
        )
        launcher = _version([SYSTEM_PYTHON, str(LAUNCHER), "--profile", "/nonexistent", "--version"])
        found.append(
            Check("  WebKitGTK launcher", True, launcher)
            if launcher
            else Check(
                "  WebKitGTK launcher",
                False,
                "GI bindings for WebKitGTK missing",
                f"{_APT} python3-gi gir1.2-webkit2-4.1",
            )
        )
        found.append(_tool("  Xvfb", "Xvfb", f"{_APT} xvfb"))
    found.append(_tool("npm (front-end files)", "npm", f"{_APT} npm", ["--version"]))
    for npm_package in dict.fromkeys(assets.PINNED + assets.CDN_PACKAGES):
        cached = assets.cache_dir() / npm_package.slug / ".verified"
        found.append(
            Check(npm_package.spec, True, "cached and verified")
            if cached.exists()
            else Check(npm_package.spec, False, "not fetched yet", "pyscript-storage-harness fetch")
        )
    return found


def print_checks(found: list[Check], console: Console) -> None:
    table = Table(title="pyscript-storage doctor", title_justify="left")
    for column in ("component", "", "found", "fix"):
        table.add_column(column)
    for check in found:
        mark = "[green]ok[/green]" if check.ok else "[red]missing[/red]"
        table.add_row(check.what, mark, check.found, check.fix)
    console.print(table)
