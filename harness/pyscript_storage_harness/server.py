"""A loopback HTTP server: the pages, Pyodide, PyScript and the wheel under test.

One ``Server`` listens on several ports of 127.0.0.1 at once; each port is an
origin of its own, so IndexedDB isolation between origins can be tested. It
runs in daemon threads and is stopped by ``close()`` (or leaving the ``with``).

``/mailbox/<name>`` holds what a page POSTs there (GET reads it back): a page
reports through it when the harness may lose its driver meanwhile (WebKitGTK's
WebDriver session ends when its network process dies, while the page lives on).

``/snapshots/<key>`` holds the gzipped bytes a page PUTs there first (later PUTs
of the same key change nothing; GET serves them with ``Content-Encoding: gzip``,
so the page reads them unzipped): the memory snapshot of a fresh Pyodide that
the first page of a run makes, so later pages boot from it.
"""

from __future__ import annotations

import mimetypes
import re
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound

from . import cdn

__all__ = ["Server", "PAGES_DIR", "inside"]

PAGES_DIR = Path(__file__).resolve().parent / "pages"  # package data
_REQUIRED_PAGES = ("runner.html.j2", "upstream.html.j2", "boot.js.j2", "boot-micropython.js.j2")
_NOWHERE = PAGES_DIR / "__not_served__"  # a path that does not exist: a 404
_MAILBOX = "/mailbox/"
_MAILBOX_LIMIT = 1_000_000  # bytes a page may post to one name
_SNAPSHOTS = "/snapshots/"
_SNAPSHOT_LIMIT = 128 * 1024 * 1024  # bytes of one gzipped snapshot (Pyodide 314's: 6 MB of 31)
_SNAPSHOT_KEY = re.compile(r"[A-Za-z0-9._-]{1,200}")

mimetypes.add_type("text/javascript", ".mjs")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/wasm", ".wasm")


def inside(root: Path, relative: str) -> Path | None:
    """``root``/``relative`` after decoding and symlinks, or None when that leaves ``root``."""
    if "\0" in relative or "\\" in relative or relative.startswith("/"):
        return None
    root = root.resolve()
    target = (root / relative).resolve()
    return target if target == root or root in target.parents else None


class _Handler(SimpleHTTPRequestHandler):
    """Routes: /pages/<template>, and one static root per mount (/pyodide/, ...)."""

    mounts: dict[str, Path]
    immutable: tuple[str, ...]  # URL prefixes of pinned assets
    templates: Environment
    context: dict[str, Any]
    mailbox: dict[str, str]  # name -> what a page posted, shared by every origin
    snapshots: dict[str, bytes]  # key -> the interpreter snapshot a page put there first
    snapshots_lock: threading.Lock

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(PAGES_DIR), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass  # quiet: failures surface through the pages, not the access log

    def end_headers(self) -> None:
        # Pinned, checksummed assets never change under a URL: the browser may keep them (and
        # the wasm it compiled from them) across reloads. Pages and the wheel are never cached.
        immutable = any(self.path.startswith(prefix) for prefix in self.immutable)
        self.send_header("Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-store")
        super().end_headers()

    def translate_path(self, path: str) -> str:
        """The file for a URL path, only ever inside a mount's root (after decoding and symlinks)."""
        path = unquote(path.split("?", 1)[0].split("#", 1)[0], errors="strict")
        for prefix, root in self.mounts.items():
            if path.startswith(prefix):
                return str(inside(root, path[len(prefix) :]) or _NOWHERE)
        return str(_NOWHERE)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = self.path.split("?", 1)[0]
        if path in ("/", ""):
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", "/pages/runner.html")
            self.end_headers()
            return
        if path == "/favicon.ico":  # browsers ask for it on every page: no icon, and no 404 noise
            self.send_response(HTTPStatus.NO_CONTENT)
            self.end_headers()
            return
        if path.startswith("/pages/"):
            self._render(path[len("/pages/") :])
            return
        if path.startswith(_MAILBOX):
            text = self.mailbox.get(path[len(_MAILBOX) :])
            body = None if text is None else text.encode("utf-8")
            self._send_kept(body, "text/plain; charset=utf-8", missing="nothing posted under this name")
            return
        if path.startswith(cdn.PREFIX):
            self._cdn(unquote(path[len(cdn.PREFIX) :]), f"http://{self.headers.get('Host', '127.0.0.1')}")
            return
        if path.startswith(_SNAPSHOTS):
            snapshot = self.snapshots.get(path[len(_SNAPSHOTS) :])
            self._send_kept(
                snapshot, "application/octet-stream", "gzip", missing="no snapshot under this key yet"
            )
            return
        super().do_GET()

    def do_PUT(self) -> None:  # noqa: N802 - stdlib name
        path = self.path.split("?", 1)[0]
        key = path[len(_SNAPSHOTS) :]
        length = int(self.headers.get("Content-Length") or 0)
        if not path.startswith(_SNAPSHOTS) or not _SNAPSHOT_KEY.fullmatch(key):
            self.send_error(HTTPStatus.NOT_FOUND, "PUT goes to /snapshots/<key> only ([A-Za-z0-9._-])")
            return
        if not 0 < length <= _SNAPSHOT_LIMIT:
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"1 to {_SNAPSHOT_LIMIT} bytes")
            return
        body = self.rfile.read(length)
        if not body.startswith(b"\x1f\x8b"):
            self.send_error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "a snapshot is PUT gzipped")
            return
        with self.snapshots_lock:
            self.snapshots.setdefault(key, body)  # the first page's stays: every later page boots alike
        self.send_response(HTTPStatus.NO_CONTENT)
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        if not path.startswith(_MAILBOX) or not path[len(_MAILBOX) :]:
            self.send_error(HTTPStatus.NOT_FOUND, "POST goes to /mailbox/<name> only")
            return
        if length > _MAILBOX_LIMIT:
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"at most {_MAILBOX_LIMIT} bytes")
            return
        self.mailbox[path[len(_MAILBOX) :]] = self.rfile.read(length).decode("utf-8", "replace")
        self.send_response(HTTPStatus.NO_CONTENT)
        self.end_headers()

    def _cdn(self, address: str, origin: str) -> None:
        """A CDN address, answered from its npm package (pages at another PyScript release)."""
        answer = cdn.serve(address, origin)
        if isinstance(answer, cdn.CdnMiss):
            self.send_error(HTTPStatus.NOT_FOUND, str(answer).splitlines()[0][:200])
            return
        self._send(answer[1], cdn.content_type(address))

    def _send_kept(
        self, body: bytes | None, content_type: str, encoding: str | None = None, *, missing: str
    ) -> None:
        """What the server keeps under a URL, or a 404 that says ``missing``."""
        if body is None:
            self.send_error(HTTPStatus.NOT_FOUND, missing)
        else:
            self._send(body, content_type, encoding)

    def _send(self, body: bytes, content_type: str, encoding: str | None = None) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _render(self, name: str) -> None:
        try:
            template = self.templates.get_template(name + ".j2")
        except TemplateNotFound:
            self.send_error(HTTPStatus.NOT_FOUND, f"no page {name}")
            return
        body = template.render(**self.context).encode("utf-8")
        self._send(body, f"{mimetypes.guess_type(name)[0] or 'text/html'}; charset=utf-8")


def _stop(httpds: list[ThreadingHTTPServer]) -> None:
    for httpd in httpds:
        httpd.shutdown()
        httpd.server_close()


class Server:
    """Serves ``mounts`` (URL prefix -> folder) and the pages on several origins."""

    def __init__(
        self,
        mounts: dict[str, Path],
        context: dict[str, Any],
        host: str = "127.0.0.1",
        ports: tuple[int, ...] = (0, 0),
        immutable: tuple[str, ...] = (),
        handler: type[_Handler] | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        """``handler``: a _Handler subclass with more routes, given ``attributes`` (see app.py)."""
        missing = [name for name in _REQUIRED_PAGES if not (PAGES_DIR / name).is_file()]
        if missing:
            raise FileNotFoundError(
                f"the harness's pages are missing from {PAGES_DIR}: {', '.join(missing)} "
                "(a broken install: pip install --force-reinstall pyscript-storage-harness)"
            )
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the harness server listens on loopback only, not {host!r}")
        self.mailbox: dict[str, str] = {}
        self.snapshots: dict[str, bytes] = {}
        templates = Environment(
            loader=FileSystemLoader(PAGES_DIR), undefined=StrictUndefined, autoescape=False
        )
        bound = type(
            "Handler",
            (handler or _Handler,),
            {
                "mounts": {k: v.resolve() for k, v in mounts.items()},
                "immutable": immutable,
                "templates": templates,
                "context": context,
                "mailbox": self.mailbox,
                "snapshots": self.snapshots,
                "snapshots_lock": threading.Lock(),
                **(attributes or {}),
            },
        )
        self._host, self._handler = host, bound
        self._httpds = [self._listen(port) for port in ports]
        self.origins = [self._origin(httpd) for httpd in self._httpds]
        self._extra: dict[str, ThreadingHTTPServer] = {}  # origin -> listener (open_origins)
        self._extra_lock = threading.Lock()
        self._stopping: list[threading.Thread] = []  # close_origins' (close() waits for them)

    def _listen(self, port: int) -> ThreadingHTTPServer:
        httpd = ThreadingHTTPServer((self._host, port), partial(self._handler))
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
        return httpd

    def _origin(self, httpd: ThreadingHTTPServer) -> str:
        return f"http://{self._host}:{httpd.server_address[1]}"

    def url(self, path: str, origin: int = 0) -> str:
        return self.origins[origin] + path

    def open_origins(self, count: int) -> list[str]:
        """``count`` new origins (new ports) serving the same, until close_origins.

        A cell run in a browser an earlier cell used gets origins no page has been
        on, so nothing that cell stored is in reach of its pages.
        """
        opened = [self._listen(0) for _ in range(count)]
        origins = [self._origin(httpd) for httpd in opened]
        with self._extra_lock:
            self._extra.update(zip(origins, opened, strict=True))
        return origins

    def close_origins(self, origins: list[str]) -> None:
        """Stop listening on origins open_origins gave, in the background (close() waits for it).

        Each listener takes up to its poll interval to stop (two: 50-100 ms), which a
        cell need not wait for: nothing is sent to those ports again.
        """
        with self._extra_lock:
            closing = [self._extra.pop(origin) for origin in origins if origin in self._extra]
        stopping = threading.Thread(target=_stop, args=(closing,), daemon=True)
        stopping.start()
        self._stopping = [thread for thread in self._stopping if thread.is_alive()] + [stopping]

    def wait_for_mail(self, name: str, timeout: float) -> str | None:
        """What a page posted to /mailbox/``name``, waiting up to ``timeout`` seconds, else None."""
        deadline = time.monotonic() + timeout
        while name not in self.mailbox and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.mailbox.get(name)

    def close(self) -> None:
        with self._extra_lock:
            leftover = list(self._extra)
        self.close_origins(leftover)
        for stopping in self._stopping:
            stopping.join()
        for httpd in self._httpds:
            httpd.shutdown()
            httpd.server_close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
