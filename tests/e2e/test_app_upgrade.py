"""storage_app.upgrade() on a busy app: one that writes its store every 10 ms and never calls
sync(), as public timer apps do. Upgraded right after a write, the page reopened under the next
release must open its store. (WebKitGTK's back-forward cache once froze the old page with its
IndexedDB transaction still open, and the new page waited on it for good: 5 of 7 tries.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from pyscript_storage_harness.pytest_plugin import AppPage

PINNED, NEXT = "2024.9.1", "2026.7.3"

PAGE = f"""<!doctype html>
<html><head><meta charset="utf-8">
<script type="module" src="https://pyscript.net/releases/{PINNED}/core.js"></script>
</head><body><p id="opened">...</p><button id="add">+1000</button>
<script type="py" async>
import js
from pyscript import document, storage
from pyscript.ffi import create_proxy

store = await storage("timer")
document.querySelector("#opened").innerText = "opened at " + str(store.get("ticks", 0))


def tick():
    store["ticks"] = store.get("ticks", 0) + 1  # never synced, as the apps do


def add(event):
    store["ticks"] = store.get("ticks", 0) + 1000


js.setInterval(create_proxy(tick), 10)
document.querySelector("#add").onclick = create_proxy(add)
</script></body></html>
"""


@pytest.fixture(scope="session")
def storage_app_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("busy-timer")
    (folder / "index.html").write_text(PAGE)
    return folder


def test_a_busy_app_opens_its_store_when_upgraded_right_after_a_write(storage_app: AppPage) -> None:
    storage_app.open()
    storage_app.wait_for("#opened", text="opened at 0")
    storage_app.click("#add")
    storage_app.upgrade(NEXT)  # at once: the old page's writes are still under way
    opened = storage_app.text("#opened")
    assert opened.startswith("opened at "), opened
    assert int(opened.removeprefix("opened at ")) >= 0
