"""An app at an older release, as a user's app is: the release's core from npm (a near
patch when npm lacks it, said), integrity= refused or dropped, another release on request."""

from __future__ import annotations

import http.server
import json
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pyscript_storage_harness import assets
from pyscript_storage_harness.config import DEFAULT_PATH, load

PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<script type="module" src="https://pyscript.net/releases/{release}/core.js"{integrity}></script>
</head><body><p id="out">...</p>
<script type="py" async>
from pyscript import document, storage
store = await storage("counter")
store["n"] = store.get("n", 0) + 1
await store.sync()
document.querySelector("#out").innerText = f"n={{store['n']}}"
</script></body></html>
"""


def app(tmp_path: Path, release: str, integrity: str = "") -> Path:
    folder = tmp_path / f"app-{release}"
    folder.mkdir()
    attribute = f' integrity="{integrity}" crossorigin="anonymous"' if integrity else ""
    (folder / "index.html").write_text(PAGE.format(release=release, integrity=attribute))
    return folder


def check(
    folder: Path, *options: str, config: Path = DEFAULT_PATH
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, object]]]:
    report = folder.with_suffix(".json")
    done = subprocess.run(
        [sys.executable, "-m", "pyscript_storage_harness", "--config", str(config), "app", str(folder),
         "--engine", "chromium", "--interpreter", "pyodide", "--json", str(report), *options],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    cells = json.loads(report.read_text())["cells"] if report.exists() else []
    return done, cells


def test_a_release_npm_lacks_is_served_by_its_nearest_patch_and_said(tmp_path: Path) -> None:
    done, cells = check(app(tmp_path, "2024.6.2"))
    assert done.returncode == 0, done.stdout[-4000:]
    notes = cells[0]["notes"]
    assert isinstance(notes, list)
    assert any(
        "2024.6.2 is core 0.4.50, which npm does not have: served @pyscript/core@0.4.51" in n for n in notes
    )
    assert any(
        n.startswith("served from npm: @pyscript/core@0.4.51") and "pyodide@0.26.1" in n for n in notes
    )
    refused, _ = check(tmp_path / "app-2024.6.2", "--exact-versions")
    assert refused.returncode == 1
    assert "which npm does not have; its nearest later patch 0.4.51 is served without --exact-versions" in (
        refused.stdout.replace("\n", " ")
    )


def test_integrity_on_a_file_the_harness_serves_is_an_error_naming_it_unless_dropped(tmp_path: Path) -> None:
    folder = app(tmp_path, "2024.9.1", integrity="sha384-" + "A" * 64)
    refused, _ = check(folder)
    said = refused.stdout.replace("\n", " ")
    assert refused.returncode == 1
    assert "index.html: <script ... integrity=...> for https://pyscript.net/releases/2024.9.1/core.js" in said
    assert "--drop-integrity" in said and "--storage-drop-integrity" in said
    dropped, cells = check(folder, "--drop-integrity")
    assert dropped.returncode == 0, dropped.stdout[-4000:]
    assert any(
        "integrity= dropped for https://pyscript.net/releases/2024.9.1/core.js" in n
        for n in cells[0]["notes"]
    )  # type: ignore[union-attr]


@pytest.mark.parametrize("release", ["2026.7.3"])
def test_pages_run_under_another_release_on_request(tmp_path: Path, release: str) -> None:
    done, cells = check(app(tmp_path, "2024.9.1"), "--pyscript", release)
    assert done.returncode == 0, done.stdout[-4000:]
    notes = cells[0]["notes"]
    assert isinstance(notes, list)
    assert any("served from npm: @pyscript/core@0.7.31" in n for n in notes), notes
    assert not any("@pyscript/core@0.5.12" in n for n in notes)
    unknown, _ = check(tmp_path / "app-2024.9.1", "--pyscript", "2031.1.1")
    assert unknown.returncode == 2 and "'2031.1.1' is not a release" in unknown.stdout


class _StandIn(http.server.SimpleHTTPRequestHandler):
    """pyscript.net and cdn.jsdelivr.net as the browser would meet them online: TLS on
    loopback, each request's host and path kept, the files from the pinned packages."""

    seen: list[tuple[str, str]]
    roots: dict[str, Path]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        host = self.headers.get("Host", "").split(":")[0]
        self.seen.append((host, self.path))
        for prefix, root in self.roots.items():
            if f"{host}{self.path}".startswith(prefix):
                file = root / f"{host}{self.path}"[len(prefix) :].split("?")[0]
                if file.is_file():
                    body = file.read_bytes()
                    self.send_response(200)
                    kind = "application/wasm" if file.suffix == ".wasm" else "text/javascript"
                    kind = {".css": "text/css", ".zip": "application/zip", ".json": "application/json"}.get(
                        file.suffix, kind
                    )
                    self.send_header("Content-Type", kind)
                    self.send_header("Access-Control-Allow-Origin", "*")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
        self.send_error(404)


def test_online_pages_fetch_every_outside_address_unchanged(tmp_path: Path) -> None:
    """--online: the harness serves only the app; the browser asks the CDN hosts themselves
    (here a stand-in host on loopback that Chromium resolves them to) for the same paths."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=stand-in",
         "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    seen: list[tuple[str, str]] = []
    roots = {
        "pyscript.net/releases/2026.7.3/": assets.ensure(assets.PYSCRIPT_CORE) / "dist",
        "cdn.jsdelivr.net/pyodide/v314.0.2/full/": assets.ensure(assets.PYODIDE_PYSCRIPT_DEFAULT),
    }
    handler = type("Handler", (_StandIn,), {"seen": seen, "roots": roots})
    stand_in = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    stand_in.socket = context.wrap_socket(stand_in.socket, server_side=True)
    threading.Thread(target=stand_in.serve_forever, daemon=True).start()
    try:
        port = stand_in.server_address[1]
        rules = f"MAP pyscript.net:443 127.0.0.1:{port}, MAP cdn.jsdelivr.net:443 127.0.0.1:{port}"
        chromium = next(p for p in load(DEFAULT_PATH).projects if p.name == "chromium")
        args = [*chromium.args, f"--host-resolver-rules={rules}", "--ignore-certificate-errors"]
        (tmp_path / "online.toml").write_text(
            f'[[project]]\nname = "chromium"\nengine = "chromium"\ndriver = "playwright"\n'
            f"executable = {json.dumps(chromium.executable)}\nargs = {json.dumps(args)}\n"
        )
        done, cells = check(app(tmp_path, "2026.7.3"), "--online", config=tmp_path / "online.toml")
    finally:
        stand_in.shutdown()
        stand_in.server_close()
    assert done.returncode == 0, done.stdout[-4000:]
    assert ("pyscript.net", "/releases/2026.7.3/core.js") in seen, seen
    assert ("cdn.jsdelivr.net", "/pyodide/v314.0.2/full/pyodide.mjs") in seen, seen
    notes = cells[0]["notes"]
    assert isinstance(notes, list) and not any(str(n).startswith("served from npm") for n in notes), notes
