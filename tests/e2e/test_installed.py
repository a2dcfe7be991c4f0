"""The two wheels installed as a new user installs them: a fresh venv, an empty folder, no checkout.

The venv holds only the built wheels of this tree (the module and the harness),
their dependencies from PyPI, and pytest-playwright; every command runs in a
folder outside the checkout, with nothing of the checkout on its path.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pyscript_storage_harness.wheel import prepare

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_TEST = Path(__file__).with_name("test_user_fixtures.py")  # the README's example test

# pytest-playwright's own fixtures, pointed at Debian's Chromium (no browser download here).
CONFTEST = """
import pytest


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    debian = {"executable_path": "/usr/lib/chromium/chromium", "args": ["--no-sandbox"]}
    return {**browser_type_launch_args, **debian}
"""

PLAIN_PLAYWRIGHT_TEST = """
def test_pytest_playwrights_own_page(page):
    page.set_content("<h1>both plugins</h1>")
    assert page.inner_text("h1") == "both plugins"
"""


@dataclass
class NewUser:
    venv: Path
    folder: Path  # an empty folder outside the checkout
    install_seconds: float

    def run(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return subprocess.run(
            [str(self.venv / "bin" / args[0]), *args[1:]],
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture(scope="module")
def new_user(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewUser]:
    base = tmp_path_factory.mktemp("new-user")
    dist = base / "dist"
    module_wheel = prepare(None, dist)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT / "harness")],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "SOURCE_DATE_EPOCH": "315532800"},
    )
    assert built.returncode == 0, built.stderr
    harness_wheel = next(dist.glob("pyscript_storage_harness-*.whl"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    started = time.monotonic()
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", str(module_wheel.path), str(harness_wheel),
         "pytest-playwright"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    folder = base / "app"
    folder.mkdir()
    yield NewUser(venv, folder, time.monotonic() - started)
    shutil.rmtree(base, ignore_errors=True)


def test_the_command_teaches_and_finds_its_engines(new_user: NewUser) -> None:
    helped = new_user.run("pyscript-storage-harness", "--help")
    assert helped.returncode == 0 and "pyscript-storage-harness run" in helped.stdout
    listed = new_user.run("pyscript-storage-harness", "list")
    assert listed.returncode == 0 and "engines: chromium, firefox, webkit" in listed.stdout, listed.stdout
    doctor = new_user.run("pyscript-storage-harness", "doctor", timeout=300)
    assert doctor.returncode == 0, doctor.stdout
    fetched = new_user.run("pyscript-storage-harness", "fetch", timeout=900)
    assert fetched.returncode == 0 and "pyodide@" in fetched.stdout, fetched.stdout
    missing = new_user.run("pyscript-storage-harness", "--config", "nowhere.toml", "list")
    assert missing.returncode == 2 and "nowhere.toml: not found" in missing.stdout
    assert not list(new_user.folder.iterdir()), "the commands left files in the user's folder"


def test_run_tests_the_installed_module_from_an_empty_folder(new_user: NewUser) -> None:
    done = new_user.run(
        "pyscript-storage-harness",
        "run",
        "--engine",
        "chromium",
        "--scenario",
        "reload",
        "--scenario",
        "origins",
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "(the installed pyscript-storage 0.1.0)" in done.stdout
    assert "OK: 4 passed" in done.stdout


def test_repro_gate_and_serve_work_from_an_empty_folder(new_user: NewUser) -> None:
    (new_user.folder / "bug.py").write_text(
        "from pyscript_storage import storage\ns = await storage('bug')\ns['k'] = 1\nawait s.sync()\n"
        "# %% reload\nfrom pyscript_storage import storage\n"
        "print('kept', dict((await storage('bug')).items()))\n"
    )
    repro = new_user.run("pyscript-storage-harness", "repro", "bug.py", "--engine", "firefox", timeout=600)
    assert repro.returncode == 0 and "kept {'k': 1}" in repro.stdout, repro.stdout[-3000:]
    wheel = next(new_user.venv.parent.glob("dist/pyscript_storage-*.whl"))
    gate = new_user.run(
        "pyscript-storage-harness", "gate", str(wheel), "--engine", "webkit", "--scenario", "reload",
        "--json", "gate.json", timeout=600,
    )  # fmt: skip
    assert gate.returncode == 0 and "GATE OPEN" in gate.stdout, gate.stdout[-3000:]
    serve = new_user.run("pyscript-storage-harness", "serve", "--for", "1", timeout=300)
    assert serve.returncode == 0 and "/pages/runner.html" in serve.stdout, serve.stdout[-3000:]


def test_the_plugin_beside_pytest_playwright_in_every_engine(new_user: NewUser) -> None:
    (new_user.folder / "test_prefs.py").write_text(EXAMPLE_TEST.read_text())
    (new_user.folder / "test_plain.py").write_text(PLAIN_PLAYWRIGHT_TEST)
    (new_user.folder / "conftest.py").write_text(CONFTEST)
    started = time.monotonic()
    done = new_user.run("pytest", "-q", "-p", "no:cacheprovider", "--junitxml", "junit.xml")
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-6000:]
    # two storage tests x three engines x two interpreters, and pytest-playwright's own test
    assert "13 passed" in done.stdout, done.stdout[-3000:]
    assert "scenario x engine matrix" not in done.stdout  # no scenario cells: no matrix
    print(f"install {new_user.install_seconds:.1f} s, pytest {seconds:.1f} s")


def test_a_session_without_its_fixtures_is_left_alone(new_user: NewUser) -> None:
    plain = new_user.folder / "plain"
    plain.mkdir()
    (plain / "test_nothing.py").write_text("def test_nothing():\n    assert True\n")
    # A config that does not exist: it is never read when no storage fixture is used.
    done = new_user.run("pytest", "-q", "-p", "no:cacheprovider", "plain", "--storage-config", "absent.toml")
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout
    (plain / "test_uses_it.py").write_text("def test_uses_it(storage_page):\n    pass\n")
    used = new_user.run(
        "pytest", "-q", "-p", "no:cacheprovider", "plain/test_uses_it.py", "--storage-config", "absent.toml"
    )
    assert used.returncode != 0 and "with --storage-config PATH" in used.stdout + used.stderr


FAILING_AFTER_RESTART = """
def test_kept_on_failure(storage_page):
    storage_page.run("x = 1")
    storage_page.restart()
    storage_page.run("assert False, 'on purpose'")


def test_passes(storage_page):
    storage_page.run("x = 1")
"""


def test_a_failed_cell_leaves_a_trace_as_pytest_playwright_would(new_user: NewUser) -> None:
    import zipfile

    traced = new_user.folder / "traced"
    traced.mkdir()
    (traced / "test_traced.py").write_text(FAILING_AFTER_RESTART)
    done = new_user.run(
        "pytest", "-q", "-p", "no:cacheprovider", "traced", "--storage-engine", "chromium",
        "--storage-interpreter", "pyodide", "--tracing", "retain-on-failure", "--output", "out",
    )  # fmt: skip
    assert done.returncode == 1 and "1 failed, 1 passed" in done.stdout, done.stdout[-3000:]
    out = new_user.folder / "out"
    kept = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    folder = Path("traced-test_traced.py-test_kept_on_failure-pyodide-chromium")
    # one trace per browser session (the restart began a second one); nothing for the test that passed
    assert kept == [folder / "trace-2.zip", folder / "trace.zip"], kept
    with zipfile.ZipFile(new_user.folder / "out" / folder / "trace-2.zip") as trace:
        names = trace.namelist()
    assert any(n.endswith(".trace") for n in names) and any(n.endswith(".network") for n in names), names
    # --video needs Playwright's own ffmpeg, which no registry here serves: a clear error, not a hang.
    video = new_user.run(
        "pytest", "-q", "-p", "no:cacheprovider", "traced", "-k", "passes", "--storage-engine", "chromium",
        "--storage-interpreter", "pyodide", "--video", "on", "--output", "out-video",
    )  # fmt: skip
    if list((Path.home() / ".cache" / "ms-playwright").glob("ffmpeg-*/ffmpeg-linux")):
        assert video.returncode == 0 and list((new_user.folder / "out-video").rglob("*.webm")), video.stdout
    else:
        assert video.returncode != 0 and "--video needs Playwright's own ffmpeg build" in video.stdout


@pytest.mark.timeout(2400)  # 24 cells on PyScript's storage, then 24 with the drop-in
def test_the_todo_example_runs_from_a_copy_in_every_engine_on_both_interpreters(new_user: NewUser) -> None:
    """examples/todo as a user has it: its own folder, its pytest.ini naming the app folder."""
    todo = new_user.folder / "todo"
    shutil.copytree(ROOT / "examples" / "todo", todo, ignore=shutil.ignore_patterns("__pycache__"))
    started = time.monotonic()
    done = new_user.run("pytest", "-q", "-p", "no:cacheprovider", str(todo), timeout=1800)
    assert done.returncode == 0, done.stdout[-8000:]
    # four tests x three engines x two interpreters; a crash cell may be an expected failure,
    # when PyScript's own storage lost a write its sync() had returned for (see the example)
    passed = re.search(r"(\d+) passed(?:, (\d+) xfailed)?", done.stdout)
    assert passed and int(passed[1]) + int(passed[2] or 0) == 24, done.stdout[-3000:]
    print(f"todo example: {time.monotonic() - started:.1f} s")
    # The same app with the drop-in, as its author ships it (no harness swap): the module's
    # wheel copies itself into the app folder and installs itself on the page.
    added = new_user.run("python", "-m", "pyscript_storage", "add", str(todo / "app"), "--page", "index.html")
    said = added.stdout + added.stderr
    assert added.returncode == 0 and "index.html: added the drop-in before its core.js" in said, said
    dropin = new_user.run("pytest", "-q", "-p", "no:cacheprovider", str(todo), timeout=1800)
    assert dropin.returncode == 0 and "24 passed" in dropin.stdout, dropin.stdout[-8000:]
    assert "xfailed" not in dropin.stdout  # nothing synced is lost at the kill with the module


def test_the_app_command_opens_every_page_offline(new_user: NewUser) -> None:
    shutil.copytree(ROOT / "examples" / "todo" / "app", new_user.folder / "myapp", dirs_exist_ok=True)
    done = new_user.run(
        "pyscript-storage-harness", "app", "myapp", "--engine", "chromium", "--json", "app.json", timeout=600
    )
    assert done.returncode == 0, done.stdout[-5000:]
    assert "index.html x chromium: passed" in done.stdout
    assert "index.html (micropython) x chromium: passed" in done.stdout
    missing = new_user.run("pyscript-storage-harness", "app", "no-such-folder")
    assert missing.returncode == 2 and "no-such-folder: no such app folder" in missing.stdout
    (new_user.folder / "bad").mkdir()
    (new_user.folder / "bad" / "index.html").write_text(
        '<script type="module" src="https://pyscript.net/releases/2024.13.1/core.js"></script>'
        '<script type="py">print(1)</script>'
    )
    bad = new_user.run(
        "pyscript-storage-harness",
        "app",
        "bad",
        "--engine",
        "firefox",
        "--interpreter",
        "pyodide",
        timeout=300,
    )
    assert bad.returncode == 1, bad.stdout[-3000:]
    assert "index.html asked for what the harness cannot serve" in bad.stdout
    assert "PyScript release '2024.13.1' is not a release with a core package" in bad.stdout


@pytest.mark.timeout(2400)  # 18 cells at the old release, 6 under the next, 4 across the upgrade
def test_an_app_pinned_to_an_older_release_passes_at_its_release_and_the_next(new_user: NewUser) -> None:
    """examples/focus-log: PyScript 2024.9.1 and Bootstrap from jsDelivr, answered from npm."""
    app = new_user.folder / "focus-log"
    shutil.copytree(ROOT / "examples" / "focus-log", app, ignore=shutil.ignore_patterns("__pycache__"))
    fetched = new_user.run("pyscript-storage-harness", "fetch", "--app", str(app / "app"), timeout=900)
    assert fetched.returncode == 0, fetched.stdout[-3000:]
    assert "https://pyscript.net/releases/2024.9.1/core.js: @pyscript/core@0.5.12" in fetched.stdout
    assert "pyodide@0.26.2" in fetched.stdout and "bootstrap@5.3.3" in fetched.stdout
    started = time.monotonic()
    own = new_user.run("pytest", "-q", "-p", "no:cacheprovider", str(app), timeout=1800)
    assert own.returncode == 0 and "18 passed" in own.stdout, own.stdout[-8000:]  # 3 tests x 3 engines x 2
    print(f"focus-log example at its own release: {time.monotonic() - started:.1f} s")
    upgraded = new_user.run(
        "pytest", "-q", "-p", "no:cacheprovider", str(app), "--storage-pyscript", "2026.7.3",
        "--storage-engine", "chromium", timeout=1800,
    )  # fmt: skip
    assert upgraded.returncode == 0 and "6 passed" in upgraded.stdout, upgraded.stdout[-8000:]
    across = new_user.run(
        "pyscript-storage-harness", "app", str(app / "app"), "--upgrade", "2024.9.1..2026.7.3",
        "--engine", "firefox", timeout=1200,
    )  # fmt: skip
    assert across.returncode == 0 and "OK: 4 passed" in across.stdout, across.stdout[-8000:]
    for module in ("upstream storage", "pyscript_storage"):  # both interpreters, both modules
        assert f"index.html 2024.9.1..2026.7.3 ({module}) x firefox: passed" in across.stdout
    assert across.stdout.count("stored under 2024.9.1: focus-log (1 keys)") >= 4
    assert across.stdout.count("after reopening under 2026.7.3: equal, value for value") >= 4
    unknown = new_user.run("pyscript-storage-harness", "fetch", "--pyscript", "1999.1.1", timeout=300)
    assert unknown.returncode == 1 and "'1999.1.1' is not a release" in unknown.stdout
