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
from http import HTTPStatus
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import assets, cdn
from .config import Config, Project
from .drivers import Driver, StepFailed, make_driver
from .results import Cell, Run, Status
from .scenarios import Interpreter
from .server import PAGES_DIR, Server, _Handler, inside

__all__ = ["AppPage", "AppServer", "INTERPRETER_PARAMETER", "check_pages", "switch_interpreter"]

INTERPRETER_PARAMETER = "harness-interpreter"  # ?harness-interpreter=micropython on a page's URL
_TEXT = {".html", ".htm", ".js", ".mjs", ".json", ".css", ".toml", ".py", ".txt", ".svg"}
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


_FIXED_STORAGE = (PAGES_DIR / "app-fixed-storage.js").read_text("utf-8")
_CORE_URL = re.compile(r"""<script[^>]*\bsrc\s*=\s*["']([^"']*/core\.js)["']""")


def _fixed_storage_plugin(html: str, files: list[str]) -> str:
    """A module script that swaps pyscript.storage for the module (see app-fixed-storage.js)."""
    core = _CORE_URL.search(html)
    if core is None:
        return ""
    code = _FIXED_STORAGE.replace("CORE_URL", core[1]).replace("FILE_LIST", json.dumps(files))
    return f'<script type="module">\n{code}</script>\n'


def _inject(html: str, extra: str = "") -> str:
    """The ready script first in <head> (or first in the document), and ``extra`` after it."""
    tag = f"<script>\n{_READY_SCRIPT}</script>\n{extra}"
    match = re.search(r"<head\b[^>]*>", html, re.IGNORECASE)
    if match:
        return html[: match.end()] + "\n" + tag + html[match.end() :]
    return tag + html


class _AppHandler(_Handler):
    """Routes: /__cdn__/<host>/<path>, /__harness__/..., then the app's files."""

    app_root: Path
    harness_files: dict[str, Path]  # /__harness__/<name> -> a file (the module's indexeddb.js)
    misses: list[str]  # every address answered with an error, in order
    fixed_storage: list[str]  # the module's files, when pages get it in place of PyScript's storage

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
        interpreter = parse_qs(parts.query).get(INTERPRETER_PARAMETER, [None])[0]
        self._serve_file(file, origin, interpreter)

    def _serve_file(self, file: Path, origin: str, interpreter: str | None = None) -> None:
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if file.suffix.lower() not in _TEXT:
            self._send(file.read_bytes(), ctype)
            return
        text = cdn.rewrite(file.read_text("utf-8", errors="surrogateescape"), origin)
        if file.suffix.lower() in (".html", ".htm"):
            if interpreter in ("pyodide", "micropython"):
                text = switch_interpreter(text, interpreter)  # type: ignore[arg-type]
            plugin = _fixed_storage_plugin(text, self.fixed_storage) if self.fixed_storage else ""
            text = _inject(text, plugin)
        self._send(text.encode("utf-8", errors="surrogateescape"), ctype)

    def _cdn(self, address: str, origin: str) -> None:
        found = cdn.resolve(address)
        if isinstance(found, cdn.CdnMiss):
            self._miss(HTTPStatus.NOT_FOUND, str(found))
            return
        package, within = found
        file = inside(assets.ensure(package), within)
        if file is None or not file.is_file():
            self._miss(HTTPStatus.NOT_FOUND, f"https://{address}: {package.spec} has no file {within}")
            return
        self._serve_file(file, origin)

    def _miss(self, status: HTTPStatus, message: str) -> None:
        self.misses.append(message)
        self.send_error(status, message.splitlines()[0][:200])

    def _send(self, body: bytes, content_type: str, encoding: str | None = None) -> None:
        text = content_type.startswith("text/") or content_type.endswith("javascript")
        super()._send(body, content_type + ("; charset=utf-8" if text else ""), encoding)


class AppServer:
    """A user's app folder on the config's origins, with PyScript's CDN answered locally."""

    def __init__(self, config: Config, folder: Path, fixed_storage: bool = False) -> None:
        """``fixed_storage``: pages get the installed pyscript_storage in place of PyScript's storage."""
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
        for package in assets.CDN_PACKAGES:  # fetched now, not while a page waits
            assets.ensure(package)
        self.folder = folder
        self.fixed_storage = fixed_storage
        self.harness_files = harness_files
        self.misses: list[str] = []
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
                "fixed_storage": module_files if fixed_storage else [],
            },
        )
        self.origins = self.server.origins

    def url(self, path: str, origin: int = 0, interpreter: Interpreter | None = None) -> str:
        if not 0 <= origin < len(self.origins):
            raise ValueError(f"origin {origin} does not exist: the server has {len(self.origins)}")
        url = self.origins[origin] + "/" + path.lstrip("/")
        if interpreter is None:
            return url
        return url + ("&" if "?" in url else "?") + f"{INTERPRETER_PARAMETER}={interpreter}"

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
        driver.retry_boot = False  # an app that does not boot is the finding, not a hiccup

    @property
    def engine_version(self) -> str:
        return self.driver.version

    @property
    def fixed_storage(self) -> bool:
        """True when the pages run pyscript_storage in place of PyScript's own storage."""
        return bool(self.server.fixed_storage)

    # -- pages ------------------------------------------------------------------------

    def open(self, path: str = "index.html", origin: int | None = None) -> None:
        """Open a page of the app and wait until PyScript is done with every script on it."""
        self.path, self.origin = path, self.origin if origin is None else origin
        self._loaded(lambda: self.driver.goto(self.server.url(path, self.origin, self.interpreter)))

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
        mark = len(self.server.misses)
        try:
            action()
        except StepFailed as failure:
            raise StepFailed(self._explain(f"{self.path} did not finish booting: {failure}", mark)) from None
        missed = self.server.misses[mark:]
        if any("is not held" in miss for miss in missed):
            raise StepFailed(self._explain(f"{self.path} asked for what the harness does not hold", mark))

    def _explain(self, what: str, mark: int = 0) -> str:
        lines = [what]
        missed = self.server.misses[mark:]
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
        swapped = self.driver.run_javascript("return window.harnessStorageModule || null")
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


def check_pages(
    config: Config,
    folder: Path,
    pages: list[str],
    projects: list[Project],
    interpreters: tuple[Interpreter, ...],
    artifacts: Path | None,
    on_cell: Callable[[Cell, int], None] | None = None,
    fixed_storage: bool = False,
) -> Run:
    """Open each page of the app in a fresh browser of each engine, on each interpreter.

    A cell passes when PyScript finishes every script on the page with no error shown
    and every address answered; its notes list the page's other errors and its stores.
    """
    from playwright.sync_api import sync_playwright

    run = Run(wheel={}, interpreter=assets.interpreters_label(), kind="app check")
    started = time.monotonic()
    server = AppServer(config, folder, fixed_storage)
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="pyscript-app-") as tmp:
            cases = [(p, i, project) for project in projects for p in pages for i in interpreters]
            for index, (page, interpreter, project) in enumerate(cases, 1):
                cell = _check(
                    server, page, interpreter, project, playwright, Path(tmp) / str(index), artifacts
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
) -> Cell:
    started = time.monotonic()
    detail, notes, version = "", [], "unknown"
    try:
        with make_driver(project, profile, playwright) as driver:
            version = driver.version
            app = AppPage(server, driver, interpreter, artifacts, f"{page}-{interpreter}-{project.name}")
            try:
                app.open(page)
                notes = [f"page error: {error}" for error in app.errors]
                if server.fixed_storage:
                    notes.append(f"pyscript.storage on the page: {app.storage_module}")
                if server.harness_files:
                    stores = app.stores()
                    notes += [f"store {name}: {len(entries)} keys" for name, entries in stores.items()]
            except StepFailed as failure:
                detail = str(failure)
    except Exception as error:  # noqa: BLE001 - a broken browser fails this cell only
        detail = f"{type(error).__name__}: {error}"
    status: Status = "failed" if detail else "passed"
    return Cell(page, project.name, status, time.monotonic() - started, version, detail, notes=notes,
                interpreter=interpreter)  # fmt: skip
