"""The wheel under test: a given file, or one built from this source tree."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Wheel", "build", "inspect", "unpack"]

SOURCE_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Wheel:
    path: Path
    name: str
    version: str
    sha256: str


def inspect(path: Path) -> Wheel:
    """Name, version and checksum of a wheel file; ValueError if it is not ours."""
    if not path.is_file():
        raise ValueError(f"{path}: no such wheel file")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
            fields = dict(
                line.split(": ", 1) for line in archive.read(metadata).decode().splitlines() if ": " in line
            )
    except (zipfile.BadZipFile, StopIteration):
        raise ValueError(f"{path}: not a wheel (no .dist-info/METADATA)") from None
    if "pyscript_storage/__init__.py" not in names:
        raise ValueError(f"{path}: does not contain the pyscript_storage package")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Wheel(path, fields.get("Name", "?"), fields.get("Version", "?"), digest)


def unpack(wheel: Wheel, root: Path) -> tuple[Path, list[str]]:
    """Unpack the wheel's package into ``root``/<sha256>/ (once): that folder, and its files' paths.

    MicroPython installs no wheels: its page fetches these files one by one
    into its /lib, the way PyScript's ``files`` setting does.
    """
    target = root / wheel.sha256
    with zipfile.ZipFile(wheel.path) as archive:
        names = sorted(
            n for n in archive.namelist() if n.startswith("pyscript_storage/") and not n.endswith("/")
        )
        if not (target / ".complete").exists():
            target.mkdir(parents=True, exist_ok=True)
            for name in names:
                destination = target / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.read(name))
            (target / ".complete").touch()
    return target, names


def build(out_dir: Path) -> Wheel:
    """Build the wheel from this source tree into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(out_dir),
            str(SOURCE_ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    wheels = sorted(out_dir.glob("pyscript_storage-*.whl"))
    if done.returncode != 0 or not wheels:
        raise RuntimeError(f"building the wheel failed:\n{done.stdout}\n{done.stderr}")
    return inspect(wheels[-1])
