"""The harness server serves nothing outside its roots, and only on loopback."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyscript_storage_harness.server import Server


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "inside.txt").write_text("inside")
    (root / "with space.txt").write_text("spaced")
    (tmp_path / "secret.txt").write_text("SECRET")
    (root / "escape").symlink_to(tmp_path)  # a symlink out of the root
    (root / "secret-link.txt").symlink_to(tmp_path / "secret.txt")
    with Server({"/files/": root}, {}, ports=(0, 0)) as server:
        yield server, tmp_path


def get(
    server: Server, path: str, method: str = "GET", body: bytes = b"", origin: int = 0
) -> tuple[int, bytes]:
    """A raw request: the path goes on the wire exactly as given (no client normalization)."""
    host, port = server.origins[origin].removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        if method in ("POST", "PUT"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body if method in ("POST", "PUT") else None)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_files_inside_the_root_are_served(served: tuple[Server, Path]) -> None:
    server, _ = served
    assert get(server, "/files/sub/inside.txt") == (200, b"inside")
    assert get(server, "/files/with%20space.txt") == (200, b"spaced")


@pytest.mark.parametrize(
    "path",
    [
        "/files/../secret.txt",
        "/files/sub/../../secret.txt",
        "/files/%2e%2e/secret.txt",
        "/files/%2E%2E%2Fsecret.txt",
        "/files/sub/%2e%2e/%2e%2e/secret.txt",
        "/files/..%2fsecret.txt",
        "/files/..%5csecret.txt",
        "/files//etc/passwd",
        "/files/%2fetc%2fpasswd",
        "/files/escape/secret.txt",
        "/files/secret-link.txt",
        "/etc/passwd",
        "/../secret.txt",
        "/pages/../secret.txt",
        "/pages/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
    ],
)
def test_nothing_outside_the_root_is_served(served: tuple[Server, Path], path: str) -> None:
    server, _ = served
    status, body = get(server, path)
    assert status in (400, 403, 404), (path, status)
    assert b"SECRET" not in body and b"root:" not in body


def test_listens_on_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Server({}, {}, host="0.0.0.0")
    with Server({}, {}) as server:
        assert all(origin.startswith("http://127.0.0.1:") for origin in server.origins)


def test_the_wheels_files_are_unpacked_once_for_micropython(tmp_path: Path) -> None:
    """MicroPython installs no wheels: the package's files are served unpacked, by sha256."""
    import hashlib
    import zipfile

    from pyscript_storage_harness.wheel import Wheel, unpack

    path = tmp_path / "pyscript_storage-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("pyscript_storage/__init__.py", "x = 1\n")
        archive.writestr("pyscript_storage/indexeddb.js", "(() => ({}))()\n")
        archive.writestr("scripting.py", "from pyscript_storage.scripting import Storage\n")
        archive.writestr("pyscript_storage-0.1.0.dist-info/METADATA", "Name: pyscript-storage\n")
    wheel = Wheel(path, "pyscript-storage", "0.1.0", hashlib.sha256(path.read_bytes()).hexdigest())
    folder, names = unpack(wheel, tmp_path / "wheels")
    assert names == ["pyscript_storage/__init__.py", "pyscript_storage/indexeddb.js", "scripting.py"]
    assert folder == tmp_path / "wheels" / wheel.sha256
    assert (folder / "pyscript_storage" / "__init__.py").read_text() == "x = 1\n"
    assert not (folder / "pyscript_storage-0.1.0.dist-info").exists()
    (folder / "pyscript_storage" / "__init__.py").write_text("changed")
    assert unpack(wheel, tmp_path / "wheels") == (folder, names)  # once per wheel: not unpacked again
    assert (folder / "pyscript_storage" / "__init__.py").read_text() == "changed"


def test_missing_pages_are_an_immediate_error_naming_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyscript_storage_harness import server

    monkeypatch.setattr(server, "PAGES_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"pages are missing from .*runner\.html\.j2"):
        Server({}, {}, ports=(0, 0))


def test_the_mailbox_keeps_what_a_page_posted_for_every_origin(served: tuple[Server, Path]) -> None:
    server, _ = served
    assert get(server, "/mailbox/report")[0] == 404
    assert server.wait_for_mail("report", 0.1) is None
    assert get(server, "/mailbox/report", "POST", b'{"ok": 1}') == (204, b"")
    assert server.wait_for_mail("report", 0.1) == '{"ok": 1}'
    assert get(server, "/mailbox/report", origin=1) == (200, b'{"ok": 1}')
    assert get(server, "/files/x", "POST", b"x")[0] == 404  # nothing else takes a POST
    assert get(server, "/mailbox/", "POST", b"x")[0] == 404


def test_the_first_snapshot_put_under_a_key_is_kept_for_every_origin(served: tuple[Server, Path]) -> None:
    """The run's interpreter snapshot: the first page's stays, so every later page boots alike."""
    import gzip

    server, _ = served
    key = "/snapshots/pyodide-314.0.7-66b7949e-c1a562e6"
    first, second = gzip.compress(b"\x00first"), gzip.compress(b"\x00second")
    assert get(server, key)[0] == 404
    assert get(server, key, "PUT", first) == (204, b"")
    assert get(server, key, "PUT", second) == (204, b"")  # a racing page: changes nothing
    assert get(server, key, origin=1) == (200, first)  # with Content-Encoding: gzip, for the browser
    assert get(server, "/snapshots/plain", "PUT", b"not gzipped")[0] == 415
    assert get(server, "/snapshots/../escape", "PUT", first)[0] == 404  # keys are names, not paths
    assert get(server, "/snapshots/", "PUT", first)[0] == 404
    assert get(server, "/files/x", "PUT", first)[0] == 404  # nothing else takes a PUT
    assert get(server, "/snapshots/empty", "PUT", b"")[0] == 413


def test_origins_opened_for_a_cell_serve_the_same_until_closed(served: tuple[Server, Path]) -> None:
    """A cell in a kept browser gets ports no page was on (runner.Session.cell_browser)."""
    server, _ = served
    opened = server.open_origins(2)
    assert len(set(opened)) == 2 and not set(opened) & set(server.origins)
    host, port = opened[1].removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/files/sub/inside.txt")
    assert connection.getresponse().read() == b"inside"
    connection.close()
    started = time.monotonic()
    server.close_origins(opened)
    assert time.monotonic() - started < 0.04  # the cell does not wait for the listeners to stop
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # they stop within a poll interval or two
        try:
            http.client.HTTPConnection(host, int(port), timeout=10).request("GET", "/files/sub/inside.txt")
        except ConnectionRefusedError:
            break
        except ConnectionResetError:  # accepted as the listener closed: not stopped yet
            pass
        time.sleep(0.02)
    else:
        raise AssertionError(f"{opened[1]} still listens 5 s after close_origins")
    assert get(server, "/files/sub/inside.txt") == (200, b"inside")  # the usual origins go on
