"""The harness's commands as a user runs them: real processes, real browsers (Chromium: the cheapest)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from junitparser import JUnitXml

from pyscript_storage_harness.wheel import Wheel

ROOT = Path(__file__).resolve().parents[2]


def harness(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyscript_storage_harness", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_run_writes_junit_json_and_html(tmp_path: Path, storage_wheel: Wheel) -> None:
    done = harness(
        "run",
        "--engine",
        "chromium",
        "--scenario",
        "names",
        "--wheel",
        str(storage_wheel.path),
        "--junit",
        str(tmp_path / "junit.xml"),
        "--json",
        str(tmp_path / "suite.json"),
        "--html",
        str(tmp_path / "suite.html"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((tmp_path / "suite.json").read_text())
    # What each cell said, should one not pass ("flaky", a retried cell, is not "passed").
    said = [(cell["status"], cell["notes"], cell["detail"][-500:]) for cell in data["cells"]]
    assert "1/2 names x chromium: passed" in done.stdout, said
    assert "2/2 names (micropython) x chromium: passed" in done.stdout, said
    cases = [case for suite in JUnitXml.fromfile(str(tmp_path / "junit.xml")) for case in suite]
    assert [(case.classname, case.name, case.is_passed) for case in cases] == [
        ("chromium", "names", True),
        ("chromium", "names (micropython)", True),
    ]
    assert data["ok"] and data["engines"]["chromium"].startswith("Chromium ")
    assert [cell["interpreter"] for cell in data["cells"]] == ["pyodide", "micropython"]
    assert "MicroPython 1.28.0-6" in data["interpreter"]
    assert "names (micropython)" in (tmp_path / "suite.html").read_text()


def test_repro_runs_steps_with_a_quota_and_dumps_the_store(tmp_path: Path, storage_wheel: Wheel) -> None:
    snippet = tmp_path / "bug.py"
    snippet.write_text(
        "import os\n"
        "from pyscript_storage import storage, StorageError\n"
        's = await storage("bug")\n'
        's["small"] = bytearray(b"ok")\n'
        "await s.sync()\n"
        's["huge"] = bytearray(os.urandom(3_000_000))\n'
        "try:\n"
        "    await s.sync()\n"
        "except StorageError as error:\n"
        '    print("refused", error.keys)\n'
        "# %% reload\n"
        "from pyscript_storage import storage\n"
        's = await storage("bug")\n'
        "s[7] = 'int key'\n"
        "s['7'] = 'str key'\n"
        "await s.sync()\n"
        "print(sorted(s, key=repr))\n"
        "# %%\n"
        "1 / 0\n"
    )
    dump = tmp_path / "dump.json"
    done = harness(
        "repro",
        str(snippet),
        "--quota",
        "2MB",
        "--dump",
        str(dump),
        "--wheel",
        str(storage_wheel.path),
        timeout=300,
    )
    out = done.stdout
    assert done.returncode == 1, out + done.stderr  # the last step fails, on purpose
    assert "quota 2000000 bytes via DevTools protocol Storage.overrideQuotaForOrigin" in out
    assert "refused ('huge',)" in out and "['7', 'small', 7]" in out
    # The file's own name and line, its source line, and no frame of Pyodide's or the harness's.
    assert f'File "{snippet}", line 19' in out and "    1 / 0" in out and "ZeroDivisionError" in out
    assert "_pyodide" not in out and '"<exec>"' not in out
    stores = json.loads(dump.read_text())
    assert stores == {
        "@pyscript/bug": {"small": {"<bytearray>": "b2s="}, "<int> 7": "int key", "7": "str key"}
    }


def test_serve_prints_urls_that_serve_the_pages_and_stops_on_ctrl_c(storage_wheel: Wheel) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "pyscript_storage_harness", "serve", "--wheel", str(storage_wheel.path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        assert process.stdout is not None
        urls: list[str] = []
        deadline = time.monotonic() + 120
        while len(urls) < 4 and time.monotonic() < deadline:
            line = process.stdout.readline()
            urls += re.findall(r"http://127\.0\.0\.1:\d+/pages/\w+\.html", line)
        assert len(urls) == 4, urls  # runner and upstream pages on two origins
        assert len({url.split("/pages")[0] for url in urls}) == 2
        with urllib.request.urlopen(urls[0], timeout=30) as response:
            assert "pyscript-storage runner" in response.read().decode()
        origin = urls[0].split("/pages")[0]
        with urllib.request.urlopen(f"{origin}/wheel/{storage_wheel.path.name}", timeout=30) as response:
            assert response.read()[:2] == b"PK"
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_gate_refuses_a_file_that_is_not_our_wheel(tmp_path: Path) -> None:
    fake = tmp_path / "pyscript_storage-9.9.9-py3-none-any.whl"
    fake.write_bytes(b"not a zip")
    done = harness("gate", str(fake), timeout=120)
    assert done.returncode == 2 and "not a wheel" in done.stdout


def test_gate_opens_for_a_good_wheel_and_names_it(tmp_path: Path, storage_wheel: Wheel) -> None:
    """The gate on part of the matrix (every scenario runs in tests/e2e/test_scenarios.py)."""
    done = harness(
        "gate", str(storage_wheel.path), "--engine", "chromium",
        "--scenario", "reload", "--scenario", "restart", "--scenario", "storage-process-crash",
        "--junit", str(tmp_path / "gate.xml"), "--json", str(tmp_path / "gate.json"),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr
    assert f"sha256 {storage_wheel.sha256}" in done.stdout
    said = " ".join(done.stdout.split())  # Chromium has no storage process: n/a, with the reason
    assert "GATE OPEN" in said and "--scenario restart --scenario storage-process-crash)" in said
    assert "storage-process-crash x chromium: n/a" in said and "IndexedDB runs in the browser process" in said
    cases = [case for suite in JUnitXml.fromfile(str(tmp_path / "gate.xml")) for case in suite]
    assert len(cases) == 6 and sum(case.is_passed for case in cases) == 4
    assert {case.result[0].type for case in cases if case.is_skipped} == {"n/a"}
    report = json.loads((tmp_path / "gate.json").read_text())
    assert (report["kind"], report["verdict"], report["blocking"]) == ("gate", "open", [])
    assert report["counts"] == {"passed": 4, "n/a": 2}
    assert report["wheel"]["sha256"] == storage_wheel.sha256 and report["started"] and report["host"]


@pytest.mark.parametrize(
    ("engine", "how", "workers"),
    [("webkit", signal.SIGTERM, "1"), ("chromium", signal.SIGINT, "1"), ("firefox", signal.SIGINT, "2")],
)
def test_no_process_outlives_a_run_killed_midway(engine: str, how: signal.Signals, workers: str) -> None:
    """Also with two cells running at once, each worker thread with its own Playwright."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pyscript_storage_harness", "run", "--engine", engine, "--scenario", "reload",
         "--workers", workers],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        harness_process = psutil.Process(process.pid)
        deadline = time.monotonic() + 120
        started: list[psutil.Process] = []
        while time.monotonic() < deadline:  # until each worker's browser runs (not the template's)
            started = harness_process.children(recursive=True)
            if len(_cell_profiles(started)) == int(workers):
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"{workers} {engine} browser(s) did not start within 120 s")
        time.sleep(2)  # midway: the page is booting
        started = harness_process.children(recursive=True)
        process.send_signal(how)
        assert process.wait(60) in (130, 1, 2)
        gone, alive = psutil.wait_procs(started, timeout=15)
        assert not alive, [(p.pid, _cmdline(p)) for p in alive]
        assert len(started) >= 2  # the driver and the browser at least were there to stop
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _cell_profiles(processes: list[psutil.Process]) -> set[str]:
    """The cells' browser profiles these processes use (a run's profile template is not one)."""
    profile = re.compile(r"pyscript-storage-[^/]+/((?:chromium|firefox|webkit)-(?!template)[^/\s]+)")
    return {found for p in processes for found in profile.findall(" ".join(_cmdline(p)))}


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return []


def test_three_shards_merged_equal_a_single_run_cell_for_cell(tmp_path: Path, storage_wheel: Wheel) -> None:
    chosen = ["--engine", "chromium", "--scenario", "reload", "--scenario", "names", "--scenario", "origins"]
    common = [*chosen, "--wheel", str(storage_wheel.path)]
    single = harness("run", *common, "--json", str(tmp_path / "single.json"))
    assert single.returncode == 0, single.stdout[-3000:]
    for index in (1, 2, 3):
        done = harness(
            "run", *common, "--shard", f"{index}/3", "--json", str(tmp_path / f"shard-{index}.json")
        )
        assert done.returncode == 0 and f"shard {index}/3: 2 of 6 cells" in done.stdout, done.stdout[-3000:]
    shards = [str(tmp_path / f"shard-{index}.json") for index in (1, 2, 3)]
    merged = harness(
        "merge", *shards, "--json", str(tmp_path / "merged.json"), "--junit", str(tmp_path / "m.xml")
    )
    assert merged.returncode == 0 and "merged 3 shards: 6 cells" in merged.stdout, merged.stdout[-3000:]

    def cells(name: str) -> list[tuple[str, str, str, str]]:
        report = json.loads((tmp_path / name).read_text())
        return [(c["scenario"], c["interpreter"], c["project"], c["status"]) for c in report["cells"]]

    # The merge carries each shard's cells exactly, in the single run's plan order. (Statuses are
    # compared with the shards' own: a renderer crash retried as "flaky" in one run and not in
    # another is the engine's, not the merge's: it failed this test once under -n 2.)
    from_shards = {cell[:3]: cell for name in shards for cell in cells(Path(name).name)}
    assert [cell[:3] for cell in cells("single.json")] == [cell[:3] for cell in cells("merged.json")]
    assert cells("merged.json") == [from_shards[cell[:3]] for cell in cells("single.json")]
    assert len(cells("single.json")) == 6 and all(c[3] in ("passed", "flaky") for c in cells("single.json"))
    assert {c["shard"] for c in json.loads((tmp_path / "merged.json").read_text())["cells"]} == {
        "1/3",
        "2/3",
        "3/3",
    }
    assert len([case for suite in JUnitXml.fromfile(str(tmp_path / "m.xml")) for case in suite]) == 6
    again = harness("merge", shards[0], shards[1])
    assert again.returncode == 2 and "planned cells are in no report" in again.stdout


def test_workers_run_cells_side_by_side_each_worker_in_its_own_browser(
    tmp_path: Path, storage_wheel: Wheel
) -> None:
    """--workers 2: two browsers (two profiles) live at once, never more (a worker keeps one
    browser at a time); the report keeps the plan's order."""
    chosen = ["--engine", "chromium", "--engine", "firefox", "--scenario", "reload", "--scenario", "origins"]
    report, log = tmp_path / "workers.json", tmp_path / "workers.log"
    with log.open("w") as output:  # a file, not a pipe: nothing blocks while the test watches
        process = subprocess.Popen(
            [sys.executable, "-m", "pyscript_storage_harness", "run", *chosen, "--workers", "2",
             "--wheel", str(storage_wheel.path), "--json", str(report)],
            cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    most = 0
    try:
        parent, deadline = psutil.Process(process.pid), time.monotonic() + 600
        while process.poll() is None and time.monotonic() < deadline:
            live = _cell_profiles(parent.children(recursive=True))
            most = max(most, len(live))
            time.sleep(0.2)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    assert process.returncode == 0, log.read_text()[-3000:]
    assert most == 2, f"at most {most} browser profiles in use at once"
    cells = json.loads(report.read_text())["cells"]
    assert [(c["project"], c["scenario"], c["interpreter"]) for c in cells] == [
        (project, scenario, interpreter)
        for project in ("chromium", "firefox")
        for scenario in ("reload", "origins")
        for interpreter in ("pyodide", "micropython")
    ]
    assert all(c["status"] == "passed" for c in cells), cells
