"""PyScript's releases and the ``@pyscript/core`` version each one is.

``pyscript.net/releases/R/`` is the ``dist/`` folder of the core package the
pyscript repository's tag ``R`` builds (its ``core/package.json``, or
``pyscript.core/package.json`` before 2024.10). Several of those exact versions
were never published to npm; the table then names the nearest later patch of the
same minor version that was (``npm``), and a page gets that one with a note, unless
the run asks for exact versions.

The table is package data (``releases.json``), written by this module's command
from a checkout of the pyscript repository and the npm registry::

    python -m pyscript_storage_harness.releases /path/to/pyscript-checkout
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["Release", "TABLE_PATH", "UnknownRelease", "nearest_patch", "release", "releases"]

TABLE_PATH = Path(__file__).with_name("releases.json")
_CORE_PACKAGE_FILES = ("core/package.json", "pyscript.core/package.json")


@dataclass(frozen=True)
class Release:
    """One pyscript.net release: its tag, the core version it is, and the one npm serves."""

    name: str  # "2024.9.1"
    core: str  # the version in the tag's core package.json
    npm: str  # the @pyscript/core version on npm that stands for it (== core when published)
    date: str  # the tag's commit date

    @property
    def exact(self) -> bool:
        return self.core == self.npm

    @property
    def has_storage(self) -> bool:
        """pyscript.storage exists from 2024.6.2 (core 0.4.50) on."""
        return version_key(self.core) >= version_key("0.4.50")


class UnknownRelease(ValueError):
    """A release name that is not in the table, with the ones that are."""


@cache
def releases() -> tuple[Release, ...]:
    """Every release with a core package, oldest first."""
    rows = json.loads(TABLE_PATH.read_text("utf-8"))["releases"]
    return tuple(Release(**row) for row in rows)


def release(name: str) -> Release:
    """The release called ``name``, or UnknownRelease naming the range the table holds."""
    for known in releases():
        if known.name == name:
            return known
    table = releases()
    raise UnknownRelease(
        f"PyScript release {name!r} is not a release with a core package "
        f"(the harness knows {len(table)}: {table[0].name} to {table[-1].name}; "
        "releases before 2023.11.1 had no @pyscript/core)"
    )


def version_key(version: str) -> tuple[tuple[int, ...], tuple[tuple[int, int | str], ...]]:
    """Semver precedence: 1.24.0-preview-47 < 1.24.0 < 1.24.1; numeric parts compare as numbers."""
    main, _, pre = version.partition("-")
    numbers = tuple(int(part) for part in main.split(".") if part.isdigit())
    if not pre:
        return numbers, ((2, 0),)  # a release sorts after all its pre-releases
    parts = tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in pre.replace("-", ".").split(".")
    )
    return numbers, parts


def nearest_patch(version: str, published: list[str]) -> str | None:
    """``version`` if published, else the lowest published later patch of the same minor."""
    if version in published:
        return version
    minor = version.split(".")[:2]
    later = [
        v
        for v in published
        if v.split(".")[:2] == minor and "-" not in v and version_key(v) > version_key(version)
    ]
    return min(later, key=version_key) if later else None


def _git(checkout: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(checkout), *args], capture_output=True, text=True, check=True, timeout=120
    ).stdout


def read_table(checkout: Path, published: list[str]) -> list[Release]:
    """The table from a pyscript checkout's tags and npm's published core versions."""
    found = []
    for tag in _git(checkout, "tag").split():
        for file in _CORE_PACKAGE_FILES:
            try:
                text = _git(checkout, "show", f"{tag}:{file}")
            except subprocess.CalledProcessError:
                continue
            core = json.loads(text)["version"]
            npm = nearest_patch(core, published)
            if npm is None:
                raise ValueError(f"release {tag} is core {core}: npm has no patch of its minor version")
            date = _git(checkout, "log", "-1", "--format=%cs", tag).strip()
            found.append(Release(tag, core, npm, date))
            break
    return sorted(found, key=lambda r: version_key(r.name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pyscript_storage_harness.releases",
        description="Write releases.json (release -> @pyscript/core version) from a checkout of "
        "github.com/pyscript/pyscript with its tags, and npm's published core versions.",
    )
    parser.add_argument("checkout", type=Path, help="a clone of the pyscript repository, tags fetched")
    parser.add_argument("--output", type=Path, default=TABLE_PATH, help="default: the package's table")
    args = parser.parse_args(argv)
    viewed = subprocess.run(
        ["npm", "view", "@pyscript/core", "versions", "--json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    table = read_table(args.checkout, json.loads(viewed.stdout))
    rows = [vars(r) for r in table]
    note = "written by python -m pyscript_storage_harness.releases from the pyscript repository's tags"
    args.output.write_text(json.dumps({"source": note, "releases": rows}, indent=1) + "\n", "utf-8")
    near = [r.name for r in table if not r.exact]
    print(f"{len(table)} releases, {len(near)} served by a near patch: {', '.join(near)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
