"""The CDN addresses a user's page names, answered from npm packages by version.

A user's page loads PyScript from its usual address and core.js then asks jsDelivr
for Pyodide or MicroPython; pages also load other files from jsDelivr or unpkg. The
app server rewrites those ``https://`` origins in the text it serves to
``/__cdn__/<host>/...`` on its own origin, and each such address is an npm package
at a version and a file in it:

- ``pyscript.net/releases/R/F``: ``@pyscript/core`` at release R's core version
  (releases.py), ``dist/F``; the nearest later patch when npm lacks that version;
- ``cdn.jsdelivr.net/npm/PKG@SPEC/F`` and ``unpkg.com/PKG@SPEC/F``: any package, SPEC
  a version, range or tag resolved as npm resolves it (no SPEC: ``latest``);
- ``cdn.jsdelivr.net/pyodide/vX/full/F``: the ``pyodide`` package at X.

A page may ask for another release than it pins (``/__cdn__/~R/...``: the upgrade
question); an address the harness cannot answer is a ``CdnMiss`` that says why.
"""

from __future__ import annotations

import json
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import npm
from .releases import Release, UnknownRelease, release

__all__ = [
    "CDN_HOSTS",
    "CdnMiss",
    "PREFIX",
    "Served",
    "Wanted",
    "addresses_in",
    "app_addresses",
    "content_type",
    "core_addresses",
    "names_pyscript",
    "fetch",
    "interpreter_addresses",
    "locate",
    "parse",
    "resolve",
    "rewrite",
    "serve",
    "split_override",
    "TEXT_SUFFIXES",
]

PREFIX = "/__cdn__/"
CDN_HOSTS = ("pyscript.net", "cdn.jsdelivr.net", "unpkg.com")
CORE = "@pyscript/core"
_PACKAGE = r"(?P<name>(?:@[^/@]+/)?[^/@]+)(?:@(?P<spec>[^/]+))?(?:/(?P<file>.*))?"
_RELEASE = re.compile(r"pyscript\.net/releases/(?P<release>[^/]+)/(?P<file>.*)")
_PYODIDE = re.compile(r"cdn\.jsdelivr\.net/pyodide/v(?P<spec>[^/]+)/full/(?P<file>.*)")
_JSDELIVR = re.compile(r"cdn\.jsdelivr\.net/npm/" + _PACKAGE)
_UNPKG = re.compile(r"unpkg\.com/" + _PACKAGE)
_ORIGINS = re.compile(r"https://(" + "|".join(re.escape(host) for host in CDN_HOSTS) + r")/")
_LITERAL = re.compile(r"https://(?:" + "|".join(re.escape(h) for h in CDN_HOSTS) + r")/[^\s\"'`()<>\\]+")
# How a core names its default interpreters: module:(e="0.26.2")=>`https://cdn.jsdelivr.net/...`
_DEFAULTS = re.compile(r'type:"(?P<type>pyodide|micropython)",module:\(\w+="(?P<version>[^"]+)"\)')
MICROPYTHON = "@micropython/micropython-webassembly-pyscript"


@dataclass(frozen=True)
class CdnMiss:
    """A CDN address the harness cannot answer, and why."""

    address: str
    reason: str

    def __str__(self) -> str:
        return f"https://{self.address}: {self.reason}"


@dataclass(frozen=True)
class Wanted:
    """What an address names before npm is asked: a package, a spec, a file in it."""

    address: str
    name: str
    spec: str
    file: str  # "" for the package's default file (a bare jsDelivr or unpkg address)
    release: Release | None = None  # for pyscript.net addresses
    asked_release: str = ""  # the release the page names, when another one is served


@dataclass(frozen=True)
class Served:
    """An address answered: the exact package version and the file inside it."""

    address: str
    package: npm.Resolved
    file: str
    note: str = ""  # said to the report and the page's console: a substitute, an override


def parse(address: str, exact: bool = False, pyscript: str | None = None) -> Wanted | CdnMiss:
    """What ``host/path`` names, with no network. ``exact``: refuse a near patch;
    ``pyscript``: serve that release for every PyScript core address instead."""
    address = address.split("?", 1)[0].split("#", 1)[0]
    if "/gh/" in address or address.startswith("cdn.jsdelivr.net/combine/"):
        return CdnMiss(address, "jsDelivr's GitHub and combine addresses are not npm packages (use --online)")
    for pattern in (_RELEASE, _PYODIDE, _JSDELIVR, _UNPKG):
        match = pattern.fullmatch(address)
        if match is not None:
            break
    else:
        return CdnMiss(address, "not an npm package address of pyscript.net, jsDelivr or unpkg")
    groups = match.groupdict()
    file = groups["file"] or ""
    if file.startswith("/") or ".." in file.split("/") or file.endswith("+esm"):
        reason = "a bundle jsDelivr builds itself, not a file of the package" if "+esm" in file else ""
        return CdnMiss(address, reason or "not a file of the package")
    if pattern is _PYODIDE:
        return Wanted(address, "pyodide", groups["spec"], file)
    asked = ""
    if pattern is _RELEASE:
        try:
            chosen = release(pyscript or groups["release"])
        except UnknownRelease as error:
            return CdnMiss(address, str(error))
        asked = groups["release"] if pyscript and pyscript != groups["release"] else ""
        if exact and not chosen.exact:
            return CdnMiss(
                address,
                f"PyScript release {chosen.name} is core {chosen.core}, which npm does not have; "
                f"its nearest later patch {chosen.npm} is served without --exact-versions",
            )
        return Wanted(address, CORE, chosen.npm, "dist/" + file, chosen, asked)
    name, spec = groups["name"], groups["spec"] or "latest"
    if name == CORE and pyscript:
        try:
            chosen = release(pyscript)
        except UnknownRelease as error:
            return CdnMiss(address, str(error))
        return Wanted(address, CORE, chosen.npm, file, chosen, f"{CORE}@{spec}")
    return Wanted(address, name, spec, file)


def resolve(address: str, exact: bool = False, pyscript: str | None = None) -> Served | CdnMiss:
    """The exact package version an address is answered from (npm asked if need be)."""
    wanted = parse(address, exact, pyscript)
    if isinstance(wanted, CdnMiss):
        return wanted
    try:
        package = npm.resolve(wanted.name, wanted.spec)
    except npm.NpmError as error:
        return CdnMiss(address, str(error))
    notes = []
    if wanted.asked_release:
        notes.append(f"{wanted.asked_release} asked for, PyScript release {wanted.release.name} served")  # type: ignore[union-attr]
    elif wanted.release is not None and not wanted.release.exact:
        notes.append(
            f"PyScript release {wanted.release.name} is core {wanted.release.core}, which npm does not "
            f"have: served {CORE}@{package.version}, the nearest later patch"
        )
    elif not npm.is_exact(wanted.spec):
        notes.append(f"{wanted.name}@{wanted.spec} resolved to {package.version}")
    if package.note:
        notes.append(package.note)
    return Served(address, package, wanted.file, "; ".join(notes))


def locate(served: Served) -> Path | CdnMiss:
    """The file on disk (its package fetched and verified if need be), or why not."""
    try:
        root = npm.unpacked(served.package)
    except npm.NpmError as error:
        return CdnMiss(served.address, str(error))
    file = served.file or _default_file(root, "unpkg" if served.address.startswith("unpkg") else "jsdelivr")
    path = (root / file).resolve()
    if root.resolve() not in path.parents or not path.is_file():
        why = f"{served.package.spec} has no file {file}"
        if served.package.name == "pyodide" and file.endswith((".whl", ".zip", ".tar")):
            why += " (Pyodide's packages are on jsDelivr only, not in its npm package: use --online)"
        return CdnMiss(served.address, why)
    return path


def _default_file(root: Path, cdn: str) -> str:
    """The file a bare ``/npm/PKG@V`` address serves: the package's own field for that CDN."""
    try:
        manifest = json.loads((root / "package.json").read_text("utf-8"))
    except (OSError, ValueError):
        return "index.js"
    for field in (cdn, "browser", "main"):
        value = manifest.get(field)
        if isinstance(value, str):
            return value.removeprefix("./")
    return "index.js"


# Files whose CDN addresses are pointed at the harness when served.
TEXT_SUFFIXES = {".html", ".htm", ".js", ".mjs", ".json", ".css", ".toml", ".py", ".txt", ".svg"}


def serve(
    address: str, origin: str, exact: bool = False, pyscript: str | None = None
) -> tuple[Served, bytes] | CdnMiss:
    """What the harness answers for ``host/path``: the file, a text one with its own CDN
    addresses pointed at ``origin`` (so the files it loads come from the harness too)."""
    served = resolve(address, exact, pyscript)
    if isinstance(served, CdnMiss):
        return served
    file = locate(served)
    if isinstance(file, CdnMiss):
        return file
    if file.suffix.lower() not in TEXT_SUFFIXES:
        return served, file.read_bytes()
    text = rewrite(file.read_text("utf-8", errors="surrogateescape"), origin)
    return served, text.encode("utf-8", errors="surrogateescape")


def content_type(address: str) -> str:
    return mimetypes.guess_type(address.split("?", 1)[0])[0] or "application/octet-stream"


def addresses_in(text: str) -> list[str]:
    """The literal CDN addresses in a text (``host/path``), in order, once each."""
    found = (m[0].removeprefix("https://").rstrip(".,;") for m in _LITERAL.finditer(text) if "${" not in m[0])
    return list(dict.fromkeys(found))


_PYSCRIPT_ON_PAGE = re.compile(
    r"""<(?:script\b[^>]*\btype\s*=\s*["']?m?py["'\s>]|m?py-script\b)|core\.js""", re.IGNORECASE
)


def names_pyscript(text: str) -> bool:
    """Whether a page has PyScript: a ``type="py"``/``"mpy"`` script, a ``<py-script>``, a core.js."""
    return _PYSCRIPT_ON_PAGE.search(text) is not None


def core_addresses(text: str) -> list[str]:
    """The CDN addresses in a text that load PyScript's core (what another release replaces)."""
    found = []
    for address in addresses_in(text):
        wanted = parse(address)
        if isinstance(wanted, Wanted) and wanted.name == CORE or address.startswith("pyscript.net/releases/"):
            found.append(address)
    return found


def interpreter_addresses(core: Path) -> list[str]:
    """The addresses a core's ``dist/`` asks jsDelivr for when a page names no interpreter."""
    found: dict[str, None] = {}
    for script in sorted((core / "dist").glob("*.js")):
        for match in _DEFAULTS.finditer(script.read_text("utf-8", errors="replace")):
            version = match["version"]
            if match["type"] == "pyodide":
                found[f"cdn.jsdelivr.net/pyodide/v{version}/full/pyodide.mjs"] = None
            else:
                found[f"cdn.jsdelivr.net/npm/{MICROPYTHON}@{version}/micropython.mjs"] = None
    return list(found)


def rewrite(text: str, origin: str, pyscript: str | None = None) -> str:
    """``text`` with every CDN origin pointed at ``origin``'s /__cdn__/ (absolute, so a
    worker's blob URL resolves it too); ``pyscript``: the release its addresses get."""
    prefix = f"{origin}{PREFIX}" + (f"~{pyscript}/" if pyscript else "")
    return _ORIGINS.sub(lambda match: f"{prefix}{match[1]}/", text)


def split_override(path: str) -> tuple[str | None, str]:
    """``~R/host/path`` -> (R, host/path); ``host/path`` -> (None, host/path)."""
    if path.startswith("~") and "/" in path:
        release_name, rest = path[1:].split("/", 1)
        return release_name, rest
    return None, path


_SCANNED = {".html", ".htm", ".js", ".mjs", ".css", ".py", ".toml", ".json"}


def app_addresses(folder: Path) -> list[str]:
    """Every literal CDN address in an app folder's text files (node_modules left out)."""
    found: dict[str, None] = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in _SCANNED and path.is_file() and "node_modules" not in path.parts:
            found.update(dict.fromkeys(addresses_in(path.read_text("utf-8", errors="replace"))))
    return list(found)


def fetch(
    addresses: list[str],
    exact: bool = False,
    pyscript: str | None = None,
    on_each: Callable[[Served | CdnMiss], None] | None = None,
) -> list[Served | CdnMiss]:
    """Each address answered and its package in the cache, and for every PyScript core
    among them the interpreters it loads by default: what a page will ask for, fetched now."""
    results: list[Served | CdnMiss] = []
    queue, seen = list(addresses), set()
    while queue:
        address = queue.pop(0)
        if address in seen:
            continue
        seen.add(address)
        served = resolve(address, exact, pyscript)
        if isinstance(served, Served):
            located = locate(served)
            if isinstance(located, CdnMiss):
                served = located
            elif served.package.name == CORE:
                queue += interpreter_addresses(npm.unpacked(served.package))
        results.append(served)
        if on_each is not None:
            on_each(served)
    return results
