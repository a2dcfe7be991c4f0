"""CPU seconds a browser uses: what a cell costs the machine, beside the wall time it takes.

The suite keeps both cores busy, so a cell gets faster only by costing less CPU
(issue #34). A browser is the processes under the harness whose command line names
its profile folder (Chromium's --user-data-dir, Firefox's -profile, the WebKitGTK
launcher's --profile), their descendants, and any other process a driver names (the
Xvfb that WebKitGTK draws into). Each process counts its own time only: a parent's
count of the children it reaped would bring a renderer's whole life (earlier cells'
pages included) into the cell that closed its tab. So a process takes the seconds
since the last sample with it when it ends (a tab closed, a browser SIGKILLed in a
durability step), and one that starts and ends between two samples is not seen: the
figures are a floor, sampled at each browser start, page load and cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import psutil

# One process, across samples: its pid and its start (a pid is reused once it died).
ProcessId = tuple[int, float]
Sample = dict[ProcessId, float]


def _seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def sample(profile: Path, extra: Iterable[int] = ()) -> Sample:
    """Each process of the browser on ``profile`` (and of the ``extra`` pids): its CPU seconds."""
    marker = str(profile)
    roots: list[psutil.Process] = []
    for pid in extra:
        try:
            roots.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    for process in psutil.Process().children(recursive=True):
        try:
            if any(marker in part for part in process.cmdline()):
                roots.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    seen: Sample = {}
    for root in roots:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for process in tree:
            try:
                key = (process.pid, process.create_time())
                if key not in seen:
                    seen[key] = _seconds(process)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
    return seen


def used(before: Sample, after: Sample) -> float:
    """CPU seconds the processes used between two samples (new ones: since they started)."""
    return sum(max(0.0, seconds - before.get(key, 0.0)) for key, seconds in after.items())
