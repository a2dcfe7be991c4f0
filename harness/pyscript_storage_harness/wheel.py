"""The wheel under test: a given file, one built from a source tree, or the installed module.

``prepare(None)`` finds it the way a user expects: the pyscript-storage checkout
the command runs in (or the one an editable install points at) is built into a
wheel; otherwise the ``pyscript_storage`` installed in this environment is packed
into one, so ``pip install pyscript-storage pyscript-storage-harness`` is enough.
Builds are reproducible: the same tree gives the same sha256.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

__all__ = ["Wheel", "build", "find_source", "inspect", "pack_installed", "prepare", "prepared", "unpack"]

DISTRIBUTION = "pyscript-storage"
# Zip entries carry this date (1980-01-01, the zip format's first day) unless
# SOURCE_DATE_EPOCH says otherwise, so a rebuild of an unchanged tree is byte-identical.
_EPOCH = "315532800"


@dataclass(frozen=True)
class Wheel:
    path: Path
    name: str
    version: str
    sha256: str
    origin: str = "the given file"  # where it came from, for reports
    commit: str | None = None  # the git commit it was built from ("+dirty": with local changes)

    def describe(self) -> dict[str, str]:
        """What reports say of it."""
        described = {"name": self.name, "version": self.version, "sha256": self.sha256, "origin": self.origin}
        return described | ({"commit": self.commit} if self.commit else {})


def inspect(path: Path) -> Wheel:
    """Name, version and checksum of a wheel file; ValueError if it is not ours."""
    if not path.is_file():
        raise ValueError(f"{path}: no such wheel file")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
            fields = dict(
                line.split(": ", 1)
                for line in archive.read(metadata_name).decode().splitlines()
                if ": " in line
            )
    except (zipfile.BadZipFile, StopIteration):
        raise ValueError(f"{path}: not a wheel (no .dist-info/METADATA)") from None
    if "pyscript_storage/__init__.py" not in names:
        raise ValueError(f"{path}: does not contain the pyscript_storage package")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Wheel(path, fields.get("Name", "?"), fields.get("Version", "?"), digest)


def unpack(wheel: Wheel, root: Path) -> tuple[Path, list[str]]:
    """Unpack the package and ``scripting.py`` into ``root``/<sha256>/ (once): that folder, the files' paths.

    MicroPython installs no wheels: its page fetches these files one by one
    into its /lib, the way PyScript's ``files`` setting does.
    """
    target = root / wheel.sha256
    with zipfile.ZipFile(wheel.path) as archive:
        names = sorted(
            n
            for n in archive.namelist()
            if (n.startswith("pyscript_storage/") and not n.endswith("/")) or n == "scripting.py"
        )
        if not (target / ".complete").exists() or not all((target / name).exists() for name in names):
            target.mkdir(parents=True, exist_ok=True)
            for name in names:
                destination = target / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.read(name))
            (target / ".complete").touch()
    return target, names


def _is_source(folder: Path) -> bool:
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return False
    try:
        name = tomllib.loads(pyproject.read_text("utf-8")).get("project", {}).get("name")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    return name == DISTRIBUTION and (folder / "pyscript_storage" / "__init__.py").is_file()


def find_source(start: Path | None = None) -> Path | None:
    """The pyscript-storage source tree holding ``start`` (default: the current folder), or None."""
    here = (start or Path.cwd()).resolve()
    return next((folder for folder in (here, *here.parents) if _is_source(folder)), None)


def _editable_source() -> Path | None:
    """The source tree an editable install of pyscript-storage points at, or None."""
    try:
        direct_url = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    info = json.loads(direct_url or "{}")
    url = info.get("url", "")
    if info.get("dir_info", {}).get("editable") and url.startswith("file://"):
        folder = Path(url[len("file://") :])
        return folder if _is_source(folder) else None
    return None


@contextmanager
def _building(source: Path) -> Iterator[None]:
    """One build at a time in ``source``: setuptools builds in the tree's own build/ folder.

    Two at once (pytest -n 2, or two runs started together) fail with "File exists:
    build/bdist.../pyscript_storage-0.1.0.dist-info"; a lock file beside the tree's
    build/ makes the second wait for the first.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no flock
        yield
        return
    (source / "build").mkdir(exist_ok=True)
    with open(source / "build" / ".wheel-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build(out_dir: Path, source: Path) -> Wheel:
    """Build the wheel from the source tree ``source`` into ``out_dir`` (reproducibly)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with _building(source):
        done = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out_dir), str(source)],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", _EPOCH)},
        )
    wheels = sorted(out_dir.glob("pyscript_storage-*.whl"))
    if done.returncode != 0 or not wheels:
        raise RuntimeError(f"building the wheel from {source} failed:\n{done.stdout}\n{done.stderr}")
    return inspect(wheels[-1])


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def pack_installed(out_dir: Path) -> Wheel:
    """Pack the pyscript_storage installed in this environment into a wheel in ``out_dir``."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise ValueError(
            "no wheel under test: pass --wheel PATH, run from a pyscript-storage checkout, "
            "or install the module (pip install pyscript-storage)"
        ) from None
    skipped = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
    entries: dict[str, bytes] = {}
    for file in dist.files or []:
        name = str(file)
        if "__pycache__" in name or name.endswith(".pyc") or name.startswith(".."):
            continue
        if ".dist-info/" in name and name.rsplit("/", 1)[-1] in skipped:
            continue
        entries[name] = Path(str(dist.locate_file(file))).read_bytes()
    if "pyscript_storage/__init__.py" not in entries:
        raise ValueError(f"the installed {DISTRIBUTION} {dist.version} has no pyscript_storage package files")
    info = f"pyscript_storage-{dist.version}.dist-info"
    record = [_record_line(name, data) for name, data in sorted(entries.items())]
    entries[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"pyscript_storage-{dist.version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(entries.items()):
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
    return inspect(path)


def _commit(source: Path) -> str | None:
    """The checkout's commit, with "+dirty" when tracked files changed; None outside git."""
    try:
        head = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30
        )
        changed = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+dirty" if changed.stdout.strip() else "")


def prepare(given: Path | None, out_dir: Path) -> Wheel:
    """The wheel under test, saying where it came from (see the module's docstring)."""
    if given is not None:
        return inspect(given)
    source = find_source() or _editable_source()
    if source is not None:
        built = build(out_dir, source)
        return replace(built, origin=f"built from {source}", commit=_commit(source))
    packed = pack_installed(out_dir)
    return replace(packed, origin=f"the installed {DISTRIBUTION} {packed.version}")


@contextmanager
def prepared(path: Path | None = None) -> Iterator[Wheel]:
    """The wheel under test for one run, with Pyodide and MicroPython fetched.

    ``path`` is a wheel file; without one, the wheel is built from the checkout here or
    packed from the installed module (see ``prepare``), and deleted afterwards.
    The CLI, the pytest plugin and the benchmarks all start here.
    """
    from . import assets

    with tempfile.TemporaryDirectory(prefix="pyscript-storage-wheel-") as tmp:
        wheel = prepare(path, Path(tmp))
        assets.ensure(assets.PYODIDE)
        assets.ensure(assets.MICROPYTHON)
        yield wheel
