"""Front-end files the pages need, fetched from the npm registry once.

Each package is pinned by version and by the sha256 of its tarball; ``npm
pack`` fetches it on first use into a cache outside the repository
(``$PYSCRIPT_STORAGE_CACHE`` or ``~/.cache/pyscript-storage``), the checksum is
verified, and the tarball is unpacked next to it. A mismatch stops the run.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "NpmPackage",
    "PYODIDE",
    "MICROPYTHON",
    "PYSCRIPT_CORE",
    "FLATTED",
    "PINNED",
    "PYODIDE_PYSCRIPT_DEFAULT",
    "CDN_PACKAGES",
    "cache_dir",
    "ensure",
    "interpreters_label",
    "is_cached",
    "locked",
]


@dataclass(frozen=True)
class NpmPackage:
    """One pinned npm tarball."""

    name: str
    version: str
    sha256: str

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def slug(self) -> str:
        return f"{self.name.lstrip('@').replace('/', '+')}-{self.version}"


PYODIDE = NpmPackage("pyodide", "314.0.7", "66b7949e5a0cba2250b586d7e368bf12fb482800748d182c4618254b685ffaa0")
PYSCRIPT_CORE = NpmPackage(
    "@pyscript/core", "0.7.31", "b2ca1a0c0956aebd990a7c8524cca1eb061444a8319a7264d2f31ef30bea276a"
)
# The MicroPython build @pyscript/core 0.7.31 loads for <script type="mpy">.
MICROPYTHON = NpmPackage(
    "@micropython/micropython-webassembly-pyscript",
    "1.28.0-6",
    "1f22644874da319a46bf607840d518cca320d67b16b21fb2633cd1147a7a198b",
)
FLATTED = NpmPackage("flatted", "3.4.4", "5ddc55129d365193496e8ae1f6e21e4beabe639b6c00f5f67e2e0843b72efa55")
# The Pyodide @pyscript/core 0.7.31 asks jsDelivr for when a page names no interpreter
# (its built-in default): users' unmodified apps get it from here (fetched on first use).
PYODIDE_PYSCRIPT_DEFAULT = NpmPackage(
    "pyodide", "314.0.2", "6af15395a400b56dd961fcb043b40199fe462479c56cd70441e882ceddc803d8"
)
PINNED = (PYODIDE, MICROPYTHON, PYSCRIPT_CORE, FLATTED)
# What users' apps may ask the CDNs for (see cdn.py).
CDN_PACKAGES = (PYSCRIPT_CORE, PYODIDE_PYSCRIPT_DEFAULT, PYODIDE, MICROPYTHON)


def interpreters_label() -> str:
    """Both interpreters with their pinned versions, for reports."""
    return f"Pyodide {PYODIDE.version}, MicroPython {MICROPYTHON.version}"


def cache_dir() -> Path:
    root = os.environ.get("PYSCRIPT_STORAGE_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "pyscript-storage"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """One process at a time past this point (pytest workers and runs share the cache)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def is_cached(package: NpmPackage) -> bool:
    target = cache_dir() / package.slug
    return (target / ".verified").exists() and (target / "package").is_dir()


def ensure(package: NpmPackage) -> Path:
    """The unpacked ``package/`` folder of a pinned npm package, fetched if needed."""
    target = cache_dir() / package.slug
    unpacked = target / "package"
    if is_cached(package):
        return unpacked
    with locked(target.with_name(target.name + ".lock")):
        if not is_cached(package):
            _fetch(package, target)
    return unpacked


def _fetch(package: NpmPackage, target: Path) -> None:
    unpacked = target / "package"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target) as tmp:
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to fetch front-end files: apt-get install -y npm")
        done = subprocess.run(
            [npm, "pack", package.spec, "--silent", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            timeout=600,
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or len(tarballs) != 1:
            raise RuntimeError(f"npm pack {package.spec} failed:\n{done.stderr.strip()}")
        actual = _sha256(tarballs[0])
        if actual != package.sha256:
            raise RuntimeError(f"{package.spec}: sha256 {actual} does not match the pinned {package.sha256}")
        if unpacked.exists():
            shutil.rmtree(unpacked)
        with tarfile.open(tarballs[0]) as archive:
            archive.extractall(tmp, filter="data")
        shutil.move(str(Path(tmp) / "package"), unpacked)
    (target / ".verified").write_text(package.sha256 + "\n")
