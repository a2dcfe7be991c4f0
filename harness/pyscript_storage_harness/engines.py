"""What is specific to each browser engine, in one table.

The drivers, the doctor, the config check and the fault steps read it here:
adding an engine is one entry (and a driver for it, if none of the existing
ones can start it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "Engine",
    "ENGINES",
    "NAMES",
    "debian_packages",
    "engine",
    "is_indexeddb_file",
    "indexeddb_record_files",
]

# How Playwright's driver caps an origin's storage in an engine: a DevTools protocol override
# per origin, a Firefox pref at launch, or not at all (Playwright's WebKit).
PlaywrightQuota = Literal["devtools", "firefox pref", "none"]


@dataclass(frozen=True)
class Engine:
    """One engine: how it is named, installed and capped, and where a profile keeps IndexedDB."""

    name: str  # as in playwright.config.toml's `engine`
    display: str  # in the matrix's header
    debian_packages: tuple[str, ...]  # what `apt-get install` gives this machine (bin/setup, doctor)
    quota_knob: str  # how the harness caps one origin's storage in it
    playwright_quota: PlaywrightQuota  # that knob's kind when Playwright drives the engine
    indexeddb_marker: str  # a part of every IndexedDB file's path in a profile (lower case)
    indexeddb_records: tuple[str, ...]  # globs, under a profile, of the files holding its records
    # Playwright starts it faster on a copy of a profile it started once (no first-run set-up).
    profile_template: bool = False
    # A cell that neither restarts, kills nor caps the browser runs, on origins of its own, in
    # a browser an earlier cell started (runner.Session.cell_browser), where that pays.
    keep_browser: bool = False
    # Prefs every Firefox launch sets (Playwright's firefox_user_prefs): a prompt nobody here
    # can answer would hold the page's promise for good.
    launch_prefs: tuple[tuple[str, bool | int | str], ...] = ()


ENGINES: dict[str, Engine] = {
    "chromium": Engine(
        "chromium",
        "Chromium",
        ("chromium",),
        "DevTools protocol Storage.overrideQuotaForOrigin",
        "devtools",
        "indexeddb",
        ("**/IndexedDB/*.indexeddb.leveldb/*.log",),  # LevelDB's write-ahead logs
        keep_browser=True,  # a Pyodide cell 1.18 -> 0.51 s, 2.1 -> 0.8 CPU-s (2026-11-28)
    ),
    "firefox": Engine(
        "firefox",
        "Firefox",
        ("firefox-esr",),
        "pref dom.quotaManager.temporaryStorage.fixedLimit",
        "firefox pref",
        "/idb/",
        ("**/idb/*.sqlite",),
        profile_template=True,  # 1.2-1.4 s a start on a copy, 1.9-2.1 s on an empty folder
        keep_browser=True,  # a Pyodide cell 2.06 -> 0.54 s, 2.9 -> 0.7 CPU-s (2026-11-28)
        # navigator.storage.persist() asks the user (a doorhanger); answered "no" at once, as
        # Chromium answers an origin it has no engagement with (docs/guarantees.md).
        launch_prefs=(
            ("dom.storageManager.prompt.testing", True),
            ("dom.storageManager.prompt.testing.allow", False),
        ),
    ),
    "webkit": Engine(
        "webkit",
        "WebKit",
        ("webkit2gtk-driver", "xvfb", "python3-gi", "gir1.2-webkit2-4.1"),
        "WebsiteDataManager origin-storage-ratio (webkit_launcher.py)",
        "none",  # Playwright's own WebKit has no such knob; WebKitGTK's launcher has
        "indexeddb",
        ("**/IndexedDB.sqlite3",),
        # Not kept: WebKitGTK's cell costs the same in a kept browser (1.17 s against 1.19 s:
        # its page loads are the cost, not its start).
    ),
}
NAMES = tuple(ENGINES)


def engine(name: str) -> Engine:
    """The table's entry for ``name`` (KeyError naming the known ones otherwise)."""
    try:
        return ENGINES[name]
    except KeyError:
        raise KeyError(f"unknown engine {name!r}: one of {', '.join(NAMES)}") from None


def debian_packages() -> list[str]:
    """Every engine's Debian packages, each once, in the table's order (bin/setup installs them)."""
    return list(dict.fromkeys(package for entry in ENGINES.values() for package in entry.debian_packages))


def is_indexeddb_file(path: str) -> bool:
    """A file some engine keeps IndexedDB in (by its path inside a profile)."""
    lowered = path.lower()
    return any(entry.indexeddb_marker in lowered for entry in ENGINES.values())


def indexeddb_record_files(profile: Path) -> list[Path]:
    """Every engine's IndexedDB record files under ``profile``, sorted."""
    found: list[Path] = []
    for entry in ENGINES.values():
        for pattern in entry.indexeddb_records:
            found += sorted(profile.glob(pattern))
    return found
