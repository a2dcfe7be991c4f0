"""playwright.config.toml: the browser projects and the server's origins, checked.

Every key is validated on load: an unknown key, a wrong type or a missing
executable raises ConfigError naming the key (or path) and the fix.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .engines import NAMES

__all__ = ["ConfigError", "Project", "ServerConfig", "Config", "load", "DEFAULT_PATH"]

# The browser projects a user gets without a config of their own (Debian's browsers, see
# the docs); the packaged copy, so it works from any folder.
DEFAULT_PATH = Path(__file__).resolve().parent / "defaults" / "playwright.config.toml"
ENGINES = NAMES  # engines.py holds what is specific to each
DRIVERS = ("playwright", "webkitgtk", "auto", "webdriver")


class ConfigError(ValueError):
    """playwright.config.toml says something the harness cannot use."""


@dataclass(frozen=True)
class Project:
    """One browser the suite runs in."""

    name: str
    engine: str
    driver: str
    executable: str | None = None
    channel: str | None = None
    args: tuple[str, ...] = ()
    headless: bool = True
    webdriver: str = "/usr/bin/WebKitWebDriver"
    # Remote browsers: a Playwright server (`playwright run-server --unsafe`) to connect to,
    # or a WebDriver URL (WebKitWebDriver --port, a Selenium Grid) for driver = "webkitgtk".
    connect: str | None = None
    webdriver_url: str | None = None
    # driver = "webdriver": any W3C WebDriver endpoint at webdriver_url, with these capabilities
    # (browserName such as "safari", "chrome", "firefox", "MicrosoftEdge", and vendor options).
    capabilities: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def remote(self) -> bool:
        return bool(self.connect or self.webdriver_url)


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    ports: tuple[int, ...] = (0, 0)


@dataclass(frozen=True)
class Config:
    server: ServerConfig
    projects: tuple[Project, ...] = field(default_factory=tuple)

    def project(self, name: str) -> Project:
        for project in self.projects:
            if project.name == name:
                return project
        known = ", ".join(p.name for p in self.projects)
        raise ConfigError(f"no project named {name!r} (known: {known})")


_PROJECT_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "engine": str,
    "driver": str,
    "executable": str,
    "channel": str,
    "args": list,
    "headless": bool,
    "webdriver": str,
    "connect": str,
    "webdriver_url": str,
    "capabilities": dict,
}


def _check_keys(where: str, table: dict[str, Any], types: dict[str, Any]) -> None:
    for key, value in table.items():
        if key not in types:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(types)})")
        if not isinstance(value, types[key]):
            want = types[key].__name__ if isinstance(types[key], type) else types[key]
            raise ConfigError(f"{where}.{key}: expected {want}, got {value!r}")


def _project(index: int, table: dict[str, Any]) -> Project:
    where = f"project[{index}]"
    _check_keys(where, table, _PROJECT_TYPES)
    for required in ("name", "engine", "driver"):
        if required not in table:
            raise ConfigError(f"{where}: missing key {required!r}")
    if table["engine"] not in ENGINES:
        raise ConfigError(f"{where}.engine: {table['engine']!r} is not one of {ENGINES}")
    if table["driver"] not in DRIVERS:
        raise ConfigError(f"{where}.driver: {table['driver']!r} is not one of {DRIVERS}")
    if not all(isinstance(arg, str) for arg in table.get("args", [])):
        raise ConfigError(f"{where}.args: every launch argument must be a string")
    if "connect" in table and not table["connect"].startswith(("ws://", "wss://")):
        raise ConfigError(f"{where}.connect: a Playwright server's ws:// address, got {table['connect']!r}")
    if "connect" in table and table["driver"] == "webkitgtk":
        raise ConfigError(f"{where}.connect is for Playwright drivers; WebKitGTK takes webdriver_url")
    if "webdriver_url" in table and table["driver"] not in ("webkitgtk", "webdriver"):
        raise ConfigError(f'{where}.webdriver_url needs driver = "webkitgtk" or "webdriver"')
    if table["driver"] == "webdriver":
        if "webdriver_url" not in table:
            raise ConfigError(
                f'{where}: driver = "webdriver" needs webdriver_url, the endpoint\'s http:// address'
            )
        if not isinstance(table.get("capabilities", {}).get("browserName"), str):
            raise ConfigError(
                f'{where}.capabilities needs browserName (e.g. capabilities = {{ browserName = "safari" }})'
            )
    elif "capabilities" in table:
        raise ConfigError(f'{where}.capabilities is for driver = "webdriver"')
    if "webdriver_url" in table and not table["webdriver_url"].startswith(("http://", "https://")):
        raise ConfigError(f"{where}.webdriver_url: an http:// address, got {table['webdriver_url']!r}")
    table = {**table, "args": tuple(table.get("args", ()))}
    return Project(**table)


def load(path: Path = DEFAULT_PATH, option: str = "--config") -> Config:
    """Read and check the config file; ``option`` is how the user names another one."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: not found (give an existing playwright.config.toml with {option} PATH)"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: a folder, not a playwright.config.toml ({option} PATH)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    _check_keys("top level", data, {"server": dict, "project": list})
    server = data.get("server", {})
    _check_keys("server", server, {"host": str, "ports": list})
    ports = tuple(server.get("ports", (0, 0)))
    if len(ports) < 2 or not all(isinstance(p, int) and 0 <= p < 65536 for p in ports):
        raise ConfigError("server.ports: give at least two port numbers (0 picks a free one)")
    projects = tuple(_project(i, t) for i, t in enumerate(data.get("project", [])))
    names = [p.name for p in projects]
    if len(set(names)) != len(names):
        raise ConfigError(f"project names must be unique, got {names}")
    return Config(ServerConfig(server.get("host", "127.0.0.1"), ports), projects)
