"""A user's PyScript app in real browsers: served on the test origins, driven by one API.

``AppServer`` serves the app's folder on every origin of the config, unmodified
on disk: each HTML page gets ``pages/app-ready.js`` injected first (the harness's
page protocol: ``harnessReady`` settles when PyScript is done or shows an error),
PyScript's CDN addresses are answered from the pinned packages (cdn.py), and a
page can be switched to the other interpreter (``type="py"`` <-> ``type="mpy"``).
Every address it could not answer is kept, so a failure can name it.

``AppPage`` is the API a test uses, the same on every engine: ``open``, ``click``,
``fill``, ``text``, ``wait_for``, ``js``, ``reload``, ``restart``, ``kill``,
``visit``, ``stores`` and ``seed``.
"""

from __future__ import annotations

import json
import mimetypes
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import assets, cdn, npm
from .config import Config, Project
from .drivers import Driver, StepFailed, make_driver
from .releases import release
from .results import Cell, Run, Status
from .scenarios import Interpreter
from .server import PAGES_DIR, Server, _Handler, inside

__all__ = [
    "AppPage",
    "AppServer",
    "CdnOptions",
    "INTERPRETER_PARAMETER",
    "PYSCRIPT_PARAMETER",
    "STORAGE_PARAMETER",
    "Upgrade",
    "changed_keys",
    "check_pages",
    "store_changes",
    "switch_interpreter",
]

INTERPRETER_PARAMETER = "harness-interpreter"  # ?harness-interpreter=micropython on a page's URL
PYSCRIPT_PARAMETER = "harness-pyscript"  # ?harness-pyscript=2026.7.3: the page under that release
STORAGE_PARAMETER = "harness-storage"  # ?harness-storage=fixed (or upstream): whose pyscript.storage
_READY_SCRIPT = (PAGES_DIR / "app-ready.js").read_text("utf-8")
_BLANK = "<!doctype html><meta charset='utf-8'><title>harness blank page</title><p>harness</p>"

_PY_TO_MPY = (
    (re.compile(r"""(type\s*=\s*)(["'])py\2"""), r"\1\2mpy\2"),
    (re.compile(r"<(/?)py-(config|script)\b"), r"<\1mpy-\2"),
    (re.compile(r"""(\s)py-(\w+)(\s*=)"""), r"\1mpy-\2\3"),  # py-click="..." event attributes
)
_MPY_TO_PY = (
    (re.compile(r"""(type\s*=\s*)(["'])mpy\2"""), r"\1\2py\2"),
    (re.compile(r"<(/?)mpy-(config|script)\b"), r"<\1py-\2"),
    (re.compile(r"""(\s)mpy-(\w+)(\s*=)"""), r"\1py-\2\3"),
)


def switch_interpreter(html: str, interpreter: Interpreter) -> str:
    """The page's PyScript scripts, config and event attributes on ``interpreter``."""
    for pattern, replacement in _PY_TO_MPY if interpreter == "micropython" else _MPY_TO_PY:
        html = pattern.sub(replacement, html)
    return html


_CORE_URL = re.compile(r"""<script[^>]*\bsrc\s*=\s*["']([^"']*/core\.js)["']""")
DROPIN = "/__harness__/module/pyscript_storage/dropin.js"  # the installed module's drop-in


def _fixed_storage_plugin(html: str) -> str:
    """The installed module's own drop-in (pyscript_storage/dropin.js) on the page's core.js,
    first in the page: the block ``python -m pyscript_storage add`` writes into an app."""
    from pyscript_storage.__main__ import dropin_block  # the fixed storage needs the module

    core = _CORE_URL.search(html)
    return "" if core is None else dropin_block(core[1], DROPIN) + "\n"


def _inject(html: str, extra: str = "", notes: list[str] | None = None) -> str:
    """The ready script first in <head> (or first in the document), and ``extra`` after it;
    each of ``notes`` is said in the page's console, once (core.js and core.css share theirs)."""
    said = "".join(
        f"console.warn({json.dumps('pyscript-storage-harness: ' + note)});\n"
        for note in dict.fromkeys(notes or [])
    )
    tag = f"<script>\n{_READY_SCRIPT}{said}</script>\n{extra}"
    match = re.search(r"<head\b[^>]*>", html, re.IGNORECASE)
    if match:
        return html[: match.end()] + "\n" + tag + html[match.end() :]
    return tag + html


_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)
_TAG_URL = re.compile(r"""\b(?:src|href)\s*=\s*(["'])https://(?P<address>[^"']+)\1""", re.IGNORECASE)
_INTEGRITY = re.compile(r"""\s+integrity\s*=\s*(["'])(?P<value>[^"']*)\1""", re.IGNORECASE)


class _AppHandler(_Handler):
    """Routes: /__cdn__/<host>/<path>, /__harness__/..., then the app's files."""

    app_root: Path
    harness_files: dict[str, Path]  # /__harness__/<name> -> a file (the module's indexeddb.js)
    misses: list[str]  # every address answered with an error, in order
    cdn_failures: list[str]  # those of them that fail a page: a CDN address, an integrity refused
    notes: list[str]  # what a reader should know about what was served (a near patch), as it happens
    served: list[str]  # the package@version each CDN address was answered from, as it happens
    fixed_storage: bool  # pages get the module in place of PyScript's storage, unless a page says
    options: CdnOptions

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        origin = f"http://{self.headers.get('Host', '127.0.0.1')}"
        if path == "/favicon.ico":
            self.send_response(HTTPStatus.NO_CONTENT)
            self.end_headers()
            return
        if path.startswith(cdn.PREFIX):
            self._cdn(path[len(cdn.PREFIX) :], origin)
            return
        if path == "/__harness__/blank.html":
            self._send(_inject(_BLANK).encode(), "text/html")
            return
        if path.startswith("/__harness__/") and path in self.harness_files:
            ctype = "text/x-python" if path.endswith(".py") else "text/javascript"
            self._send(self.harness_files[path].read_bytes(), ctype)
            return
        file = inside(self.app_root, path.lstrip("/"))
        if file is not None and file.is_dir():
            file = file / "index.html"
        if file is None or not file.is_file():
            self._miss(HTTPStatus.NOT_FOUND, f"{path}: not a file of the app folder {self.app_root}")
            return
        query = parse_qs(parts.query)
        interpreter = query.get(INTERPRETER_PARAMETER, [None])[0]
        pyscript = query.get(PYSCRIPT_PARAMETER, [None])[0] or self.options.pyscript
        storage = query.get(STORAGE_PARAMETER, [None])[0]
        fixed = self.fixed_storage if storage is None else storage == "fixed"
        self._serve_file(file, origin, interpreter, pyscript, fixed)

    def _serve_file(
        self,
        file: Path,
        origin: str,
        interpreter: str | None = None,
        pyscript: str | None = None,
        fixed: bool = False,
    ) -> None:
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if file.suffix.lower() not in cdn.TEXT_SUFFIXES:
            self._send(file.read_bytes(), ctype)
            return
        text = file.read_text("utf-8", errors="surrogateescape")
        if file.suffix.lower() not in (".html", ".htm"):
            self._send(self._rewritten(text, origin).encode("utf-8", errors="surrogateescape"), ctype)
            return
        notes: list[str] = []
        if not self.options.online:
            text, notes = self._checked_page(text, file, origin, pyscript)
            text = cdn.rewrite(text, origin, pyscript)
        if interpreter in ("pyodide", "micropython"):
            text = switch_interpreter(text, interpreter)  # type: ignore[arg-type]
        plugin = _fixed_storage_plugin(text) if fixed else ""
        self._send(_inject(text, plugin, notes).encode("utf-8", errors="surrogateescape"), ctype)

    def _rewritten(self, text: str, origin: str) -> str:
        return text if self.options.online else cdn.rewrite(text, origin)

    def _checked_page(
        self, html: str, file: Path, origin: str, pyscript: str | None
    ) -> tuple[str, list[str]]:
        """The page's CDN addresses resolved up front (their notes, for the console), and
        each ``integrity=`` of a file the harness answers checked against what it serves."""
        notes = []
        for address in cdn.addresses_in(html):
            served = cdn.resolve(address, self.options.exact, pyscript)
            if isinstance(served, cdn.Served) and served.note:
                notes.append(served.note)
                self._note(served.note)
        page = file.relative_to(self.app_root).as_posix()

        def check(tag: re.Match[str]) -> str:
            url, integrity = _TAG_URL.search(tag[0]), _INTEGRITY.search(tag[0])
            if url is None or integrity is None or not url["address"].startswith(cdn.CDN_HOSTS):
                return tag[0]
            # The bytes only hashed here, not sent: what the page is served is kept when it asks.
            answer = cdn.serve(url["address"], origin, self.options.exact, pyscript)
            if not isinstance(answer, cdn.CdnMiss) and npm.integrity_matches(answer[1], integrity["value"]):
                return tag[0]
            if self.options.drop_integrity:
                self._note(f"{page}: integrity= dropped for https://{url['address']} (served by the harness)")
                return tag[0][: integrity.start()] + tag[0][integrity.end() :]
            why = answer if isinstance(answer, cdn.CdnMiss) else None
            self._refuse(
                f"{page}: <{tag[0][1:].split()[0]} ... integrity=...> for https://{url['address']}: "
                + (f"{why.reason}" if why else "the harness serves it from npm with its CDN addresses "
                   "pointed at the harness, so its bytes differ from the CDN's and the browser refuses "
                   "them; --drop-integrity (pytest: --storage-drop-integrity) drops integrity= for "
                   "the files the harness serves, only those")
            )  # fmt: skip
            return tag[0]

        return _TAG.sub(check, html), notes

    def _refuse(self, message: str) -> None:
        self.cdn_failures.append(message)
        self.misses.append(message)

    def _note(self, note: str) -> None:
        self.notes.append(note)

    def _cdn_body(self, address: str, origin: str, pyscript: str | None) -> bytes | cdn.CdnMiss:
        """The bytes the harness serves for a CDN address, what was served and said kept."""
        answer = cdn.serve(address, origin, self.options.exact, pyscript)
        if isinstance(answer, cdn.CdnMiss):
            return answer
        served, body = answer
        if served.note:
            self._note(served.note)
        self.served.append(served.package.spec)
        return body

    def _cdn(self, path: str, origin: str) -> None:
        pyscript, address = cdn.split_override(path)
        body = self._cdn_body(address, origin, pyscript)
        if isinstance(body, cdn.CdnMiss):
            self.cdn_failures.append(str(body))
            self._miss(HTTPStatus.NOT_FOUND, str(body))
            return
        self._send(body, cdn.content_type(address))

    def _miss(self, status: HTTPStatus, message: str) -> None:
        self.misses.append(message)
        self.send_error(status, message.splitlines()[0][:200])

    def _send(self, body: bytes, content_type: str, encoding: str | None = None) -> None:
        text = content_type.startswith("text/") or content_type.endswith("javascript")
        super()._send(body, content_type + ("; charset=utf-8" if text else ""), encoding)


@dataclass(frozen=True)
class CdnOptions:
    """How the app server answers CDN addresses (the CLI's and the plugin's options)."""

    exact: bool = False  # refuse a near patch of a release npm lacks (--exact-versions)
    drop_integrity: bool = False  # drop integrity= on the files the harness serves (--drop-integrity)
    online: bool = False  # leave every outside address to the real network (--online)
    pyscript: str | None = None  # serve this release for every page's PyScript (--pyscript)


class AppServer:
    """A user's app folder on the config's origins, with PyScript's CDN answered locally."""

    def __init__(
        self, config: Config, folder: Path, fixed_storage: bool = False, options: CdnOptions | None = None
    ) -> None:
        """``fixed_storage``: pages get the installed pyscript_storage in place of PyScript's storage;
        ``options``: how CDN addresses are answered (a release to serve, exact versions, online)."""
        options = options or CdnOptions()
        folder = folder.resolve()
        if not folder.is_dir():
            raise ValueError(f"{folder}: no such app folder")
        harness_files: dict[str, Path] = {}
        module_files: list[str] = []
        module = find_spec("pyscript_storage")
        if module is not None and module.origin:  # its IndexedDB code reads and seeds stores on the page
            installed = Path(module.origin).parent
            harness_files["/__harness__/indexeddb.js"] = installed / "indexeddb.js"
            for file in sorted(installed.rglob("*")):
                if file.is_file() and "__pycache__" not in file.parts and file.suffix in (".py", ".js"):
                    name = f"pyscript_storage/{file.relative_to(installed).as_posix()}"
                    harness_files[f"/__harness__/module/{name}"] = file
                    module_files.append(name)
        if fixed_storage and not module_files:
            raise ValueError("the fixed storage needs the pyscript_storage module: pip install its wheel")
        if options.pyscript:
            release(options.pyscript)  # an unknown release is an error now, not on every page
        self.folder = folder
        self.fixed_storage = fixed_storage
        self.module_files = module_files
        self.harness_files = harness_files
        self.options = options
        self.misses: list[str] = []
        self.cdn_failures: list[str] = []
        self.notes: list[str] = []
        self.served: list[str] = []
        if not options.online:  # what the pages name, fetched now rather than while a page waits
            self.prefetch(options.pyscript)
        self.server = Server(
            {},
            {},
            host=config.server.host,
            ports=config.server.ports,
            immutable=(cdn.PREFIX,),
            handler=_AppHandler,
            attributes={
                "app_root": folder,
                "harness_files": harness_files,
                "misses": self.misses,
                "cdn_failures": self.cdn_failures,
                "notes": self.notes,
                "served": self.served,
                "fixed_storage": fixed_storage,
                "options": options,
            },
        )
        self.origins = self.server.origins

    def prefetch(self, pyscript: str | None = None) -> list[cdn.Served | cdn.CdnMiss]:
        """Every CDN address of the app's files (under release ``pyscript``) in the cache."""
        return cdn.fetch(cdn.app_addresses(self.folder), self.options.exact, pyscript)

    def url(
        self,
        path: str,
        origin: int = 0,
        interpreter: Interpreter | None = None,
        pyscript: str | None = None,
        fixed: bool | None = None,
    ) -> str:
        """A page's address; ``interpreter``, ``pyscript`` (a release) and ``fixed`` (whose
        pyscript.storage) override what the page and the server's options say."""
        if not 0 <= origin < len(self.origins):
            raise ValueError(f"origin {origin} does not exist: the server has {len(self.origins)}")
        if fixed and not self.module_files:
            raise ValueError("the fixed storage needs the pyscript_storage module: pip install its wheel")
        url = self.origins[origin] + "/" + path.lstrip("/")
        storage = None if fixed is None else ("fixed" if fixed else "upstream")
        query = [
            (INTERPRETER_PARAMETER, interpreter),
            (PYSCRIPT_PARAMETER, pyscript),
            (STORAGE_PARAMETER, storage),
        ]
        for name, value in query:
            if value is not None:
                url += ("&" if "?" in url else "?") + f"{name}={value}"
        return url

    def close(self) -> None:
        self.server.close()


# Read every @pyscript store of this origin as the module's IndexedDB code does: JSON
# {database name: {keys, values}} with each value its stored text.
_READ_STORES = """
const api = (0, eval)(await (await fetch("/__harness__/indexeddb.js")).text());
const found = {};
for (const { name } of await indexedDB.databases()) {
  if (!name.startsWith("IDBMap/@pyscript/")) continue;
  const db = await api.open(name);
  try { found[name.slice("IDBMap/@pyscript/".length)] = JSON.parse(await api.load(db, true)); }
  finally { api.close(db); }
}
return JSON.stringify(found);
"""

# Write one store as upstream's storage does (the same database, store and texts).
_WRITE_STORE = """
const [name, head, body] = ARGS;
const api = (0, eval)(await (await fetch("/__harness__/indexeddb.js")).text());
const db = await api.open(`IDBMap/@pyscript/${name}`);
try { await api.flush(db, head, body, "strict"); } finally { api.close(db); }
return true;
"""

_ACT = """
const [action, selector, text] = ARGS;
const element = document.querySelector(selector);
if (!element) throw new Error(`no element matches ${selector}`);
if (action === "click") { element.click(); return null; }
if (action === "text") return element.innerText;
if (action === "fill") {
  element.focus();
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(element), "value");
  if (setter && setter.set) setter.set.call(element, text); else element.value = text;
  element.dispatchEvent(new Event("input", { bubbles: true }));
  element.dispatchEvent(new Event("change", { bubbles: true }));
  return null;
}
throw new Error(`unknown action ${action}`);
"""

_FIND = """
const [selector, text] = ARGS;
const element = document.querySelector(selector);
if (!element) return null;
return text === null || element.innerText.includes(text) ? element.innerText : null;
"""


def _codec() -> Any:
    try:
        from pyscript_storage import codec
    except ImportError:
        raise RuntimeError(
            "stores() and seed() use pyscript_storage's codec: pip install the pyscript-storage wheel"
        ) from None
    return codec


class AppPage:
    """A user's app page in a real browser; one API on every engine.

    Events from ``click`` and ``fill`` are dispatched by script (``element.click()``,
    the ``value`` setter with ``input`` and ``change`` events), the same in every engine.
    """

    def __init__(
        self,
        server: AppServer,
        driver: Driver,
        interpreter: Interpreter | None = None,
        artifacts: Path | None = None,
        name: str = "app",
    ) -> None:
        self.server = server
        self.driver = driver
        self.interpreter = interpreter  # None: each page as written
        self.artifacts = artifacts  # where screenshots of failures go
        self.name = name
        self.path = "index.html"
        self.origin = 0
        self.pyscript: str | None = None  # the release pages run under; None: the one they pin
        self.fixed: bool | None = None  # whose pyscript.storage; None: the server's choice
        driver.retry_boot = False  # an app that does not boot is the finding, not a hiccup
        self._served_from, self._notes_from = len(server.served), len(server.notes)

    @property
    def engine_version(self) -> str:
        return self.driver.version

    @property
    def fixed_storage(self) -> bool:
        """True when the pages run pyscript_storage in place of PyScript's own storage."""
        return self.server.fixed_storage if self.fixed is None else self.fixed

    # -- pages ------------------------------------------------------------------------

    def open(self, path: str = "index.html", origin: int | None = None) -> None:
        """Open a page of the app and wait until PyScript is done with every script on it."""
        self.path, self.origin = path, self.origin if origin is None else origin
        url = self.server.url(path, self.origin, self.interpreter, self.pyscript, self.fixed)
        self._loaded(lambda: self.driver.goto(url))

    def upgrade(self, pyscript: str) -> None:
        """Open the same page again, on the same profile and origin, under PyScript release
        ``pyscript`` (a release name, e.g. "2026.7.3"): does what the app stored under the
        release it pins still open under the next one? Later opens, reloads and restarts
        stay on that release."""
        release(pyscript)  # UnknownRelease (a ValueError) names the releases there are
        self.pyscript = pyscript
        self.open(self.path)

    @property
    def served(self) -> list[str]:
        """Every npm package@version the server answered this page's CDN addresses from so far
        (the exact versions behind them: "@pyscript/core@0.5.12", "pyodide@0.26.2"), once each."""
        return list(dict.fromkeys(self.server.served[self._served_from :]))

    @property
    def notes(self) -> list[str]:
        """What the server said about what it served this page so far: a release served by a
        near patch, a range resolved to a version, an integrity= dropped (once each)."""
        return list(dict.fromkeys(self.server.notes[self._notes_from :]))

    def reload(self) -> None:
        """Reload the page: new interpreters, the same IndexedDB."""
        self._loaded(self.driver.reload)

    def restart(self) -> None:
        """Quit the browser, start it again on the same profile, open the same page."""
        self._loaded(self.driver.restart)

    def kill(self) -> None:
        """SIGKILL the browser (no clean close), start it again on the same profile and page."""
        self._loaded(self.driver.kill_and_restart)

    def visit(self, origin: int = 1, path: str | None = None) -> None:
        """The same page (or ``path``) on another origin of the server: its own IndexedDB."""
        self.open(path or self.path, origin)

    def _loaded(self, action: Any) -> None:
        mark, failures = len(self.server.misses), len(self.server.cdn_failures)
        booted: StepFailed | None = None
        try:
            action()
        except StepFailed as failure:
            booted = failure
        refused = self.server.cdn_failures[failures:]
        if refused:  # the cause, whether or not the page went on to boot
            lines = [f"{self.path} asked for what the harness cannot serve:", *(f"  {r}" for r in refused)]
            raise StepFailed(self._explain("\n".join(lines), mark)) from None
        if booted is not None:
            raise StepFailed(self._explain(f"{self.path} did not finish booting: {booted}", mark)) from None

    def _explain(self, what: str, mark: int = 0) -> str:
        lines = [what]
        missed = [miss for miss in self.server.misses[mark:] if miss not in what]
        if missed:
            lines.append("addresses the server could not answer:")
            lines += [f"  {miss}" for miss in missed]
        errors = self._page_errors()
        if errors:
            lines.append("the page's errors:")
            lines += [f"  {error}" for error in errors[-10:]]
        if self.driver.console:
            lines.append("the page's console (last lines):")
            lines += [f"  {line}" for line in self.driver.console[-15:]]
        shot = self._screenshot(what)
        if shot:
            lines.append(f"screenshot: {shot}")
        return "\n".join(lines)

    def _page_errors(self) -> list[str]:
        try:
            return list(self.driver.evaluate("window.harnessErrors || []", [], 10_000) or [])
        except Exception:  # noqa: BLE001 - a dead page has no errors to give
            return []

    def _screenshot(self, what: str) -> str | None:
        if self.artifacts is None:
            return None
        slug = re.sub(r"[^\w.-]+", "-", f"{self.name}-{what[:40]}").strip("-")
        path = self.artifacts / f"{slug}-{int(time.time() * 1000)}.png"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.driver.screenshot(path)
        except Exception:  # noqa: BLE001 - a screenshot is a bonus
            return None
        return str(path)

    # -- the page's elements ----------------------------------------------------------

    def _act(self, action: str, selector: str, text: str | None = None) -> Any:
        try:
            return self.driver.run_javascript(_ACT.replace("ARGS", json.dumps([action, selector, text])))
        except StepFailed as failure:
            raise StepFailed(self._explain(f"{action} {selector!r}: {failure}")) from None

    def click(self, selector: str) -> None:
        """Click the first element matching the CSS ``selector``."""
        self._act("click", selector)

    def fill(self, selector: str, text: str) -> None:
        """Set an input's value to ``text``, as typing would (input and change events)."""
        self._act("fill", selector, text)

    def text(self, selector: str) -> str:
        """The rendered text of the first element matching ``selector``."""
        return str(self._act("text", selector))

    def wait_for(self, selector: str, text: str | None = None, timeout: float = 30) -> str:
        """Wait until ``selector`` matches (and its text contains ``text``); its text.

        StepFailed after ``timeout`` seconds, naming the selector, with a screenshot.
        """
        deadline = time.monotonic() + timeout
        find = _FIND.replace("ARGS", json.dumps([selector, text]))
        while True:
            found = self.driver.run_javascript(find)
            if found is not None:
                return str(found)
            if time.monotonic() > deadline:
                wanted = f"{selector!r}" + (f" with text {text!r}" if text is not None else "")
                raise StepFailed(self._explain(f"{wanted} did not appear within {timeout:g} s"))
            time.sleep(0.1)

    def js(self, code: str) -> Any:
        """Run JavaScript on the page as an async function body; what it returns."""
        return self.driver.run_javascript(code)

    @property
    def storage_module(self) -> str:
        """The module behind the page's ``pyscript.storage``: "pyscript_storage" when the
        fixed storage was swapped in (and a script ran), else "pyscript.storage"."""
        swapped = self.driver.run_javascript("return window.pyscriptStorageModule || null")
        return str(swapped) if swapped else "pyscript.storage"

    @property
    def errors(self) -> list[str]:
        """Uncaught errors and failed loads the page saw (PyScript's error banners included)."""
        return self._page_errors()

    # -- the stores -------------------------------------------------------------------

    def stores(self) -> dict[str, dict[Any, Any]]:
        """Every ``@pyscript/*`` store of the current origin, decoded to Python values."""
        codec = _codec()
        found = json.loads(self.driver.run_javascript(_READ_STORES))
        return {
            name: {
                codec.restore_key(key): codec.decode(value)
                for key, value in zip(entries["keys"], entries["values"], strict=True)
            }
            for name, entries in sorted(found.items())
        }

    def seed(self, name: str, mapping: dict[Any, Any], origin: int | None = None) -> None:
        """Write the store ``name`` in upstream's format on an origin, before the app opens it.

        It leaves the browser on a blank page of that origin: ``open`` the app next.
        """
        codec = _codec()
        for key in mapping:
            codec.check_key(key)
        texts = [codec.encode(value) for value in mapping.values()]
        head = json.dumps(
            {
                "clear": False,
                "deletes": [],
                "keys": list(mapping),  # a tuple key is an IndexedDB array key
                "lengths": [len(text.encode("utf-16-le")) // 2 for text in texts],
            }
        )
        self.origin = self.origin if origin is None else origin
        self.driver.goto(self.server.url("__harness__/blank.html", self.origin))
        self.driver.run_javascript(_WRITE_STORE.replace("ARGS", json.dumps([name, head, "".join(texts)])))


@dataclass(frozen=True)
class Upgrade:
    """An upgrade to check: the page runs under ``old``, then reopens under ``new``."""

    old: str
    new: str
    settle: float = 1.0  # seconds the app runs after each open (its timers, its unsynced writes)

    @classmethod
    def parse(cls, text: str, settle: float = 1.0) -> Upgrade:
        """``OLD..NEW`` (two release names), checked against the release table."""
        old, dots, new = text.partition("..")
        if not dots or not old or not new:
            raise ValueError(f"--upgrade {text!r}: give two releases as OLD..NEW, e.g. 2024.9.1..2026.7.3")
        release(old), release(new)  # UnknownRelease names the releases there are
        if settle < 0:
            raise ValueError(f"--settle {settle}: a number of seconds, 0 or more")
        return cls(old, new, settle)


StoreKey = tuple[str, Any]  # (store name, key)
_MISSING = object()  # a key one reading has and the other has not


def store_changes(
    before: dict[str, dict[Any, Any]],
    after: dict[str, dict[Any, Any]],
    loose: frozenset[StoreKey] = frozenset(),
) -> list[str]:
    """Every difference between two ``stores()`` readings, a line each: a store or key that
    came or went, a value that changed (compared by repr: 1 and 1.0, a tuple and a list
    differ); for the keys in ``loose`` (which the app rewrites on its own), only whether
    they are still there with a value of the same type."""
    lines = []
    for name in sorted(before.keys() | after.keys()):
        if name not in after:
            lines.append(f"store {name}: gone ({len(before[name])} keys before)")
            continue
        if name not in before:
            lines.append(f"store {name}: new ({len(after[name])} keys)")
            continue
        old, new = before[name], after[name]
        for key in sorted(old.keys() | new.keys(), key=repr):
            if key not in new:
                lines.append(f"store {name}, key {key!r}: gone (was {_short(repr(old[key]))})")
            elif key not in old:
                lines.append(f"store {name}, key {key!r}: new, {_short(repr(new[key]))}")
            elif (name, key) in loose:
                if type(old[key]) is not type(new[key]):
                    was, now = type(old[key]).__name__, type(new[key]).__name__
                    lines.append(f"store {name}, key {key!r} (rewritten by the app): a {was}, now a {now}")
            elif repr(old[key]) != repr(new[key]):
                lines.append(f"store {name}, key {key!r}: {_change(repr(old[key]), repr(new[key]))}")
    return lines


def changed_keys(before: dict[str, dict[Any, Any]], after: dict[str, dict[Any, Any]]) -> frozenset[StoreKey]:
    """The (store, key) pairs whose value differs, came or went between two readings."""
    return frozenset(
        (name, key)
        for name in before.keys() & after.keys()
        for key in before[name].keys() | after[name].keys()
        if repr(before[name].get(key, _MISSING)) != repr(after[name].get(key, _MISSING))
    )


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _change(old: str, new: str, limit: int = 80) -> str:
    """``old -> new``; two long texts shown around where they first differ."""
    if len(old) <= limit and len(new) <= limit:
        return f"{old} -> {new}"
    at = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    start = max(0, at - 20)

    def around(text: str) -> str:
        return (
            ("..." if start else "")
            + text[start : start + limit - 20]
            + ("..." if start + limit - 20 < len(text) else "")
        )

    return f"{around(old)} -> {around(new)} (from character {at})"


def check_pages(
    config: Config,
    folder: Path,
    pages: list[str],
    projects: list[Project],
    interpreters: tuple[Interpreter, ...],
    artifacts: Path | None,
    on_cell: Callable[[Cell, int], None] | None = None,
    fixed_storage: bool = False,
    options: CdnOptions | None = None,
    upgrade: Upgrade | None = None,
) -> Run:
    """Open each page of the app in a fresh browser of each engine, on each interpreter.

    A cell passes when PyScript finishes every script on the page with no error shown
    and every address answered; its notes list the page's other errors and its stores.
    With ``upgrade``, each page runs under the old release, then reopens on the same
    profile under the new one, with upstream's storage and with the fixed storage (only
    the fixed one with ``fixed_storage``); the cell fails when the stores differ.
    """
    from playwright.sync_api import sync_playwright

    run = Run(wheel={}, interpreter=assets.interpreters_label(), kind="app check")
    started = time.monotonic()
    server = AppServer(config, folder, fixed_storage, options)
    if upgrade is not None:
        if not server.module_files:
            server.close()
            raise ValueError(
                "--upgrade reads the stores with pyscript_storage's codec: pip install its wheel"
            )
        for name in (upgrade.old, upgrade.new):
            server.prefetch(name)
    modules: tuple[bool | None, ...] = (None,)
    if upgrade is not None:
        modules = (True,) if fixed_storage else (False, True)
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="pyscript-app-") as tmp:
            cases = [
                (p, i, project, fixed)
                for project in projects
                for p in pages
                for i in interpreters
                for fixed in modules
            ]
            for index, (page, interpreter, project, fixed) in enumerate(cases, 1):
                profile = Path(tmp) / str(index)
                cell = _check(
                    server, page, interpreter, project, playwright, profile, artifacts, upgrade, fixed
                )
                run.engines.setdefault(project.name, cell.engine_version)
                run.cells.append(cell)
                if on_cell is not None:
                    on_cell(cell, len(cases))
    finally:
        server.close()
    run.seconds = time.monotonic() - started
    return run


def _check(
    server: AppServer,
    page: str,
    interpreter: Interpreter,
    project: Project,
    playwright: Any,
    profile: Path,
    artifacts: Path | None,
    upgrade: Upgrade | None = None,
    fixed: bool | None = None,
) -> Cell:
    started = time.monotonic()
    detail, notes, version = "", [], "unknown"
    name = page
    if upgrade is not None:
        name = f"{page} {upgrade.old}..{upgrade.new} ({'pyscript_storage' if fixed else 'upstream storage'})"
    try:
        with make_driver(project, profile, playwright) as driver:
            version = driver.version
            label = f"{page}-{interpreter}-{project.name}" + ("" if fixed is None else f"-fixed-{fixed}")
            app = AppPage(server, driver, interpreter, artifacts, label)
            app.fixed = fixed
            try:
                if upgrade is None:
                    app.open(page)
                else:
                    notes = _upgraded(app, page, upgrade)
                notes = [f"page error: {error}" for error in app.errors] + app.notes + notes
                if app.served:
                    notes.append("served from npm: " + ", ".join(app.served))
                if app.fixed_storage:
                    notes.append(f"pyscript.storage on the page: {app.storage_module}")
                if server.harness_files and upgrade is None:
                    stores = app.stores()
                    notes += [f"store {name}: {len(entries)} keys" for name, entries in stores.items()]
            except StepFailed as failure:
                detail = str(failure)
    except Exception as error:  # noqa: BLE001 - a broken browser fails this cell only
        detail = f"{type(error).__name__}: {error}"
    status: Status = "failed" if detail else "passed"
    return Cell(name, project.name, status, time.monotonic() - started, version, detail, notes=notes,
                interpreter=interpreter)  # fmt: skip


def _upgraded(app: AppPage, page: str, upgrade: Upgrade) -> list[str]:
    """Run the page under the old release, reopen it under the new one; what its stores held
    before and after, and a StepFailed listing every difference.

    The stores are read twice under the old release, ``settle`` apart: a key the app
    rewrites on its own by then (a timer's timestamp) is the app's doing, not the
    upgrade's; it is named in the notes and left out of the comparison.
    """
    app.pyscript = upgrade.old
    app.open(page)
    time.sleep(upgrade.settle)
    first = app.stores()
    time.sleep(upgrade.settle)
    before = app.stores()
    volatile = changed_keys(first, before)
    app.upgrade(upgrade.new)
    time.sleep(upgrade.settle)
    after = app.stores()
    held = ", ".join(f"{name} ({len(entries)} keys)" for name, entries in before.items()) or "nothing"
    notes = [f"stored under {upgrade.old}: {held}"]
    if volatile:
        named = ", ".join(f"{name} {key!r}" for name, key in sorted(volatile, key=repr))
        notes.append(f"rewritten by the app itself under {upgrade.old} too, compared by type only: {named}")
    changes = store_changes(before, after, volatile)
    if changes:
        lines = [f"the stores differ after reopening under {upgrade.new}:", *(f"  {c}" for c in changes)]
        raise StepFailed("\n".join([*lines, *notes[1:]]))
    compared = sum(len(entries) for entries in before.values()) - len(volatile)
    said = f"equal, value for value ({compared} keys)" if compared else "no key to compare value for value"
    if volatile:
        said += f"; {len(volatile)} rewritten by the app, of the same type"
    return [*notes, f"after reopening under {upgrade.new}: {said}"]
