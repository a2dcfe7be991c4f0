"""What the fault steps do to a browser from outside: SIGKILL it or its storage process, damage its files.

Each finds its target by the profile's path (in a process's command line, or among
its open files), among the processes this harness started. The drivers keep the
browser's life cycle (stop, start, restart) and call these in between.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

from .engines import indexeddb_record_files, is_indexeddb_file
from .results import StepFailed

__all__ = ["damage_databases", "kill_browser", "kill_storage_process"]


def kill_browser(profile: Path) -> int:
    """SIGKILL every process of ours whose command line names ``profile`` (the browser) and its children.

    Returns how many processes were killed (0: no browser uses that profile).
    """
    import psutil

    text = str(profile)
    victims = []
    for process in psutil.Process().children(recursive=True):
        try:
            if any(text in arg for arg in process.cmdline()):
                victims.append(process)
                victims.extend(process.children(recursive=True))  # renderers, storage, network
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    victims = list({process.pid: process for process in victims}.values())
    for process in victims:
        try:
            process.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(victims, timeout=10)
    _drop_singleton_folder(profile)
    return len(victims)


def _drop_singleton_folder(profile: Path) -> None:
    """Remove the /tmp folder a killed Chromium leaves behind.

    Chromium keeps its SingletonSocket in a folder of its own under /tmp (the profile holds a
    link to it) and removes it only on a clean exit: every kill left one (191 were found here).
    """
    try:
        folder = Path(os.readlink(profile / "SingletonSocket")).parent
    except OSError:
        return  # not Chromium, or no socket
    if folder.parent == Path(tempfile.gettempdir()) and folder.name.startswith("org.chromium.Chromium."):
        shutil.rmtree(folder, ignore_errors=True)


def kill_storage_process(profile: Path) -> str:
    """SIGKILL the process holding ``profile``'s IndexedDB files open; says which it was.

    StepFailed when none holds them, or when the holder is the browser itself (its
    command line names the profile): then there is no storage process to kill apart.
    """
    import psutil

    text = str(profile)
    for process in psutil.Process().children(recursive=True):
        try:
            held = [f.path for f in process.open_files() if f.path.startswith(text)]
            if not any(is_indexeddb_file(path) for path in held):
                continue
            name = f"{process.name()} (pid {process.pid})"
            if any(text in arg for arg in process.cmdline()):
                raise StepFailed(
                    f"the browser process itself, {name}, holds the IndexedDB files: "
                    "this engine has no storage process apart from the browser"
                )
            sent = time.time()
            process.send_signal(signal.SIGKILL)
            process.wait(10)
            return f"{name} at {round(sent * 1000)} ms (Unix time)"
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    raise StepFailed(f"no process holds IndexedDB files under {profile} open")


def damage_databases(profile: Path) -> list[Path]:
    """Overwrite bytes in the middle of each IndexedDB file under ``profile``; the files damaged.

    What a write torn by a crash leaves behind: records whose checksums no longer match.
    The browser must not be running.
    """
    damaged = []
    for path in indexeddb_record_files(profile):
        size = path.stat().st_size
        if size < 64:
            continue
        with path.open("r+b") as file:
            file.seek(size // 2)
            file.write(b"\xff" * min(512, size // 4))
        damaged.append(path)
    return damaged
