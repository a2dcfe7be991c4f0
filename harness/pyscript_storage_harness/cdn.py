"""PyScript's CDN addresses, answered offline from the pinned npm packages.

A user's page loads PyScript from its usual address (``pyscript.net/releases/X``
or jsDelivr's ``@pyscript/core@V``), and core.js then asks jsDelivr for Pyodide
or MicroPython. The app server rewrites those ``https://`` origins in the text it
serves to ``/__cdn__/<host>/...`` on its own origin, and ``resolve`` maps such a
path to a file of a pinned package, or says exactly which version is missing and
which ones the harness holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import assets
from .assets import NpmPackage

__all__ = ["CDN_HOSTS", "CdnMiss", "PREFIX", "resolve", "rewrite", "RELEASES"]

PREFIX = "/__cdn__/"
CDN_HOSTS = ("pyscript.net", "cdn.jsdelivr.net")

# pyscript.net's release names and the @pyscript/core version each one is
# (from the tags of the pyscript repository: release 2026.7.3 is core 0.7.31).
RELEASES = {"2026.7.3": assets.PYSCRIPT_CORE.version}

# What each CDN path pattern names: (pattern, npm package name, folder inside the package).
_ROUTES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"pyscript\.net/releases/(?P<version>[^/]+)/(?P<file>.+)"), "@pyscript/core", "dist/"),
    (
        re.compile(r"cdn\.jsdelivr\.net/npm/@pyscript/core@(?P<version>[^/]+)/(?P<file>.+)"),
        "@pyscript/core",
        "",
    ),
    (re.compile(r"cdn\.jsdelivr\.net/pyodide/v(?P<version>[^/]+)/full/(?P<file>.+)"), "pyodide", ""),
    (
        re.compile(
            r"cdn\.jsdelivr\.net/npm/@micropython/micropython-webassembly-pyscript@(?P<version>[^/]+)/(?P<file>.+)"
        ),
        "@micropython/micropython-webassembly-pyscript",
        "",
    ),
)


@dataclass(frozen=True)
class CdnMiss:
    """A CDN address the harness cannot answer, and why."""

    address: str
    reason: str

    def __str__(self) -> str:
        return f"https://{self.address}: {self.reason}"


def _held(name: str) -> list[NpmPackage]:
    return [package for package in assets.CDN_PACKAGES if package.name == name]


def resolve(address: str) -> tuple[NpmPackage, str] | CdnMiss:
    """The pinned package and the file inside it for ``host/path``, or why not.

    The package may still have to be fetched (``assets.ensure``).
    """
    for pattern, name, folder in _ROUTES:
        match = pattern.fullmatch(address)
        if match is None:
            continue
        version, file = match["version"], match["file"]
        if name == "@pyscript/core" and address.startswith("pyscript.net/"):
            if version not in RELEASES:
                known = ", ".join(f"{r} (core {v})" for r, v in RELEASES.items())
                return CdnMiss(address, f"PyScript release {version} is not held; the harness holds {known}")
            version = RELEASES[version]
        if file.startswith("/") or ".." in file.split("/"):
            return CdnMiss(address, "not a file of the package")
        package = next((p for p in _held(name) if p.version == version), None)
        if package is None:
            held = ", ".join(p.spec for p in _held(name))
            return CdnMiss(address, f"{name} {version} is not held; the harness holds {held}")
        return package, folder + file.split("?", 1)[0]
    return CdnMiss(address, "not a PyScript, Pyodide or MicroPython address the harness knows")


_ORIGINS = re.compile(r"https://(" + "|".join(re.escape(host) for host in CDN_HOSTS) + r")/")


def rewrite(text: str, origin: str) -> str:
    """``text`` with every PyScript CDN origin pointed at ``origin``'s /__cdn__/ (absolute,
    so a worker's blob URL resolves it too)."""
    return _ORIGINS.sub(lambda match: f"{origin}{PREFIX}{match[1]}/", text)
