"""Any npm package at any version, as the CDNs serve it: resolved as npm resolves it,
fetched from the registry once, checked against the integrity the registry publishes.

jsDelivr's and unpkg's ``/npm/PKG@SPEC/FILE`` are the files of the npm tarball that
``PKG@SPEC`` resolves to; ``resolve`` asks ``npm view`` which version that is (a tag
such as ``latest``, a range such as ``5.3`` or ``^4``, or an exact version) and
``unpacked`` fetches it with ``npm pack`` into the cache (``assets.cache_dir()/npm``),
verifies its ``dist.integrity`` and unpacks it. npm's own configuration (registry,
proxy, ``.npmrc``) applies. Exact versions already in the cache need no network; a
range or tag resolved once is remembered, so a run without the registry still
resolves it (and says so). The pinned packages (``assets.PINNED``) keep their sha256.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import assets
from .releases import version_key

__all__ = ["NpmError", "Resolved", "held", "integrity_matches", "is_exact", "resolve", "unpacked"]

_EXACT = re.compile(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?")
_NAME = re.compile(r"(@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*")
_TIMEOUT = 120  # seconds for one npm command (a registry that does not answer fails in this)
_memo: dict[str, Resolved] = {}
_memo_lock = threading.Lock()


class NpmError(RuntimeError):
    """npm could not answer: the package, version or registry, named."""


@dataclass(frozen=True)
class Resolved:
    """An npm package at the exact version a spec resolved to."""

    name: str
    version: str
    asked: str  # the spec as written: "5.3.3", "5.3", "^4", "latest"
    integrity: str  # the registry's dist.integrity ("sha512-..."); "" for a pinned package
    note: str = ""  # how it was resolved, when a reader should know (the registry was unreachable)

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


def is_exact(spec: str) -> bool:
    return _EXACT.fullmatch(spec) is not None


def _root() -> Path:
    return assets.cache_dir() / "npm"


def _slug(name: str, version: str) -> str:
    return f"{name.lstrip('@').replace('/', '+')}-{version}"


def _pinned(name: str, version: str) -> assets.NpmPackage | None:
    return next(
        (p for p in assets.PINNED + assets.CDN_PACKAGES if (p.name, p.version) == (name, version)), None
    )


def _npm(*args: str) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    if npm is None:
        raise NpmError("npm is needed to fetch packages from the npm registry: apt-get install -y npm")
    try:
        return subprocess.run(
            [
                npm,
                *args,
                "--fetch-retries=1",
                "--fetch-retry-mintimeout=1000",
                "--fetch-retry-maxtimeout=3000",
                "--fetch-timeout=30000",
            ],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise NpmError(f"npm {' '.join(args)}: no answer from the registry in {_TIMEOUT} s") from None


def _npm_error(done: subprocess.CompletedProcess[str]) -> tuple[str, str]:
    """(code, summary) of a failed ``npm --json`` command."""
    try:
        error = json.loads(done.stdout)["error"]
        return str(error.get("code", "")), str(error.get("summary", "")).splitlines()[0]
    except (ValueError, KeyError, TypeError, IndexError):
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        return "", lines[0] if lines else f"exit status {done.returncode}"


def _resolutions_file() -> Path:
    return _root() / "resolved.json"


def _remembered() -> dict[str, dict[str, str]]:
    try:
        return dict(json.loads(_resolutions_file().read_text("utf-8")))
    except (OSError, ValueError):
        return {}


def _remember(key: str, resolved: Resolved) -> None:
    with assets.locked(_root() / ".resolved.lock"):
        known = _remembered()
        known[key] = {
            "version": resolved.version,
            "integrity": resolved.integrity,
            "when": time.strftime("%Y-%m-%d %H:%M"),
        }
        _resolutions_file().write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", "utf-8")


def held() -> list[str]:
    """Every package@version the cache holds, fetched and verified."""
    found = [p.spec for p in dict.fromkeys(assets.PINNED + assets.CDN_PACKAGES) if assets.is_cached(p)]
    root = _root()
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            manifest = folder / "manifest.json"
            if (folder / ".verified").exists() and manifest.is_file():
                data = json.loads(manifest.read_text("utf-8"))
                found.append(f"{data['name']}@{data['version']}")
    return found


def resolve(name: str, spec: str = "latest") -> Resolved:
    """The exact version npm installs for ``name@spec``, or NpmError naming what npm said."""
    if _NAME.fullmatch(name) is None:
        raise NpmError(f"{name!r} is not an npm package name")
    if not spec or any(c in spec for c in "/\\\n"):
        raise NpmError(f"{name}@{spec}: not a version, range or tag")
    key = f"{name}@{spec}"
    with _memo_lock:
        if key in _memo:
            return _memo[key]
    resolved = _resolve(name, spec, key)
    with _memo_lock:
        _memo[key] = resolved
    return resolved


def _resolve(name: str, spec: str, key: str) -> Resolved:
    if is_exact(spec):
        if _pinned(name, spec) is not None:
            return Resolved(name, spec, spec, "")
        manifest = _root() / _slug(name, spec) / "manifest.json"
        if manifest.is_file() and (manifest.parent / ".verified").exists():
            return Resolved(name, spec, spec, json.loads(manifest.read_text("utf-8"))["integrity"])
    done = _npm("view", key, "version", "dist.integrity", "dist-tags.latest", "--json")
    if done.returncode != 0 or not done.stdout.strip():
        code, summary = _npm_error(done)
        if code == "E404" or not done.stdout.strip() and done.returncode == 0:
            raise NpmError(f"npm has no {key}: {summary or 'no version matches'}")
        remembered = _remembered().get(key)
        if remembered is None:
            cached = ", ".join(h for h in held() if h.startswith(f"{name}@")) or "nothing of it"
            raise NpmError(f"{key}: the npm registry did not answer ({summary}); the cache holds {cached}")
        version, when = remembered["version"], remembered["when"]
        note = f"{key}: the npm registry did not answer; {version}, as it resolved on {when}"
        return Resolved(name, version, spec, remembered["integrity"], note)
    found: Any = json.loads(done.stdout)
    rows = found if isinstance(found, list) else [found]
    versions = {row["version"]: row.get("dist.integrity", "") for row in rows}
    latest = rows[0].get("dist-tags.latest")
    version = latest if latest in versions else max(versions, key=version_key)
    resolved = Resolved(name, version, spec, versions[version])
    if not is_exact(spec):
        _remember(key, resolved)
    return resolved


def integrity_matches(body: bytes, integrity: str) -> bool:
    """Whether ``body`` has one of the hashes of an SRI string (``sha512-<base64>``, several
    separated by spaces, each maybe with ``?options``): npm's ``dist.integrity`` and a
    page's ``integrity=`` alike. sha1 counts for npm's oldest packages."""
    for part in integrity.split():
        algorithm, _, expected = part.partition("-")
        if algorithm in ("sha1", "sha256", "sha384", "sha512"):
            digest = base64.b64encode(hashlib.new(algorithm, body).digest()).decode()
            if digest == expected.split("?", 1)[0]:
                return True
    return False


def unpacked(resolved: Resolved) -> Path:
    """The unpacked ``package/`` folder of the resolved package, fetched and verified if needed."""
    pinned = _pinned(resolved.name, resolved.version)
    if pinned is not None:
        return assets.ensure(pinned)
    target = _root() / _slug(resolved.name, resolved.version)
    package = target / "package"
    if (target / ".verified").exists() and package.is_dir():
        return package
    with assets.locked(target.with_name(target.name + ".lock")):
        if (target / ".verified").exists() and package.is_dir():
            return package
        if not resolved.integrity:
            raise NpmError(f"{resolved.spec}: the registry published no integrity to check it against")
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target) as tmp:
            done = _npm("pack", resolved.spec, "--silent", "--pack-destination", tmp)
            tarballs = list(Path(tmp).glob("*.tgz"))
            if done.returncode != 0 or len(tarballs) != 1:
                raise NpmError(f"npm pack {resolved.spec} failed: {_npm_error(done)[1]}")
            if not integrity_matches(tarballs[0].read_bytes(), resolved.integrity):
                raise NpmError(
                    f"{resolved.spec}: the tarball does not match the integrity the registry "
                    f"publishes ({resolved.integrity[:30]}...): not unpacked"
                )
            with tarfile.open(tarballs[0]) as archive:
                archive.extractall(tmp, filter="data")
            if package.exists():
                shutil.rmtree(package)
            # Most tarballs hold package/; a few name their folder otherwise.
            folders = [p for p in Path(tmp).iterdir() if p.is_dir()]
            shutil.move(str(folders[0] if len(folders) == 1 else Path(tmp) / "package"), package)
        manifest = {"name": resolved.name, "version": resolved.version, "integrity": resolved.integrity}
        (target / "manifest.json").write_text(json.dumps(manifest) + "\n", "utf-8")
        (target / ".verified").write_text(resolved.integrity + "\n")
    return package
