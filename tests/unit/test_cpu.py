"""cpu.sample and cpu.used on real processes: a "browser" (a process naming its profile) whose
child burns CPU, as a renderer does, and a process named by pid (as WebKitGTK's Xvfb is)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil

from pyscript_storage_harness import cpu

BURN = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\n"
# The "browser": names its profile, starts a child that burns CPU and then sleeps (a renderer).
BROWSER = (
    "import subprocess, sys, time\nsubprocess.run([sys.executable, '-c', {burn!r} + 'time.sleep(30)'])\n"
)


def _wait_for(check: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.05)


def test_a_browsers_tree_counts_its_children(tmp_path: Path) -> None:
    profile = tmp_path / "profile-of-this-browser"
    before = cpu.sample(profile)
    assert before == {}  # nothing started yet
    code = BROWSER.format(burn=BURN.format(seconds=0.4))
    browser = subprocess.Popen([sys.executable, "-c", code, f"--user-data-dir={profile}"])
    try:
        _wait_for(lambda: cpu.used(before, cpu.sample(profile)) >= 0.4)
        used = cpu.used(before, cpu.sample(profile))
        assert 0.4 <= used < 5, used  # the child's 0.4 s
        children = psutil.Process(browser.pid).children()
        assert len(children) == 1
        children[0].kill()  # the "renderer" ends: its seconds are not counted twice by its parent
        children[0].wait()
        _wait_for(lambda: len(cpu.sample(profile)) == 1)
        assert cpu.used(before, cpu.sample(profile)) < 0.3
        other = cpu.sample(tmp_path / "another-profile")
        assert other == {}  # another browser's profile: none of these processes
    finally:
        browser.kill()
        browser.wait()


def test_a_process_named_by_pid_counts_and_a_pid_reused_is_another_process(tmp_path: Path) -> None:
    burner = subprocess.Popen([sys.executable, "-c", BURN.format(seconds=0.3) + "time.sleep(30)"])
    try:
        start = cpu.sample(tmp_path / "nothing", [burner.pid])
        _wait_for(lambda: cpu.used(start, cpu.sample(tmp_path / "nothing", [burner.pid])) >= 0.25)
        after = cpu.sample(tmp_path / "nothing", [burner.pid])
        assert cpu.used(start, after) >= 0.25
        ((pid, started),) = after
        assert pid == burner.pid
        # The same pid with another start time is a new process: all its seconds count.
        assert cpu.used({(pid, started - 1): 100.0}, after) == after[(pid, started)]
    finally:
        burner.kill()
        burner.wait()
    assert cpu.sample(tmp_path / "nothing", [burner.pid]) == {}  # gone: nothing, no error
