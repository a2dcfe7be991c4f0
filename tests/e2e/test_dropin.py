"""The drop-in as an app's author uses it, with no harness swap: ``python -m pyscript_storage add``
puts the module in the app folder and its tag in the page, and then ``from pyscript import
storage`` is pyscript_storage on the page and in a worker, on both interpreters, in every engine.
The page pins PyScript 2024.9.1 and runs under it, the newest release (2026.7.3) and the oldest
the project's users pin (2024.6.1, whose workers never start on a page without cross-origin
isolation, with or without the drop-in: its page only). The todo example with the drop-in is in
the new-user test."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pyscript_storage.__main__ import main as dropin_command
from pyscript_storage_harness.pytest_plugin import AppPage
from pyscript_storage_harness.results import StepFailed

PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
  <script type="module" src="https://pyscript.net/releases/2024.9.1/core.js"></script>
</head><body>
<p id="page">...</p>
<script type="py" async>
from pyscript import document, storage
from pyscript.storage import storage as from_the_module

store = await storage("dropin")
store["page"] = type(store).__module__
store["same"] = from_the_module is storage
await store.sync()
document.querySelector("#page").innerText = "saved by " + store["page"]
</script>
<script type="py" worker src="worker.py"></script>
</body></html>
"""

WORKER = """from pyscript import storage

store = await storage("dropin-worker")  # noqa: F704 - PyScript runs it with top-level await
store["worker"] = type(store).__module__
await store.sync()  # noqa: F704
"""

# A page that installs the drop-in twice (two addresses): the second copy says so and stands aside.
TWICE = """<!doctype html>
<html><head><meta charset="utf-8">
  <script type="module">
    import { hooks } from "https://pyscript.net/releases/2024.9.1/core.js";
    import { install } from "./pyscript_storage/dropin.js";
    import { install as again } from "./pyscript_storage/dropin.js?again";
    install(hooks);
    again(hooks);
  </script>
  <script type="module" src="https://pyscript.net/releases/2024.9.1/core.js"></script>
</head><body><p id="page">...</p>
<script type="py">
import sys
from pyscript import document
document.querySelector("#page").innerText = "pyscript.storage is " + sys.modules["pyscript.storage"].__name__
</script></body></html>
"""


# A page that installs it too late: after PyScript readied its script, which ran on PyScript's own.
LATE = """<!doctype html>
<html><head><meta charset="utf-8">
  <script type="module" src="https://pyscript.net/releases/2026.7.3/core.js"></script>
  <script type="module">
    import { hooks } from "https://pyscript.net/releases/2026.7.3/core.js";
    import { install } from "./pyscript_storage/dropin.js";
    for (const type of ["py", "mpy"]) addEventListener(`${type}:ready`, () => install(hooks), true);
  </script>
</head><body><p id="page">...</p>
<script type="py">
import sys
from pyscript import document
document.querySelector("#page").innerText = "pyscript.storage is " + sys.modules["pyscript.storage"].__name__
</script></body></html>
"""


@pytest.fixture(scope="session")
def storage_app_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dropin-app")
    (folder / "index.html").write_text(PAGE)
    (folder / "worker.py").write_text(WORKER)
    (folder / "twice.html").write_text(TWICE)
    (folder / "late.html").write_text(LATE)
    broken = folder / "broken"  # a copy of the app whose server lacks one of the module's files
    broken.mkdir()
    (broken / "index.html").write_text(PAGE.replace('<script type="py" worker src="worker.py"></script>', ""))
    assert dropin_command(["add", str(broken), "--page", "index.html"]) == 0
    (broken / "pyscript_storage" / "codec.py").unlink()
    assert dropin_command(["add", str(folder), "--page", "index.html"]) == 0
    return folder


def _stores_when(app: AppPage, key: tuple[str, str], seconds: float = 60) -> dict[str, dict[object, object]]:
    deadline = time.monotonic() + seconds
    while True:
        stores = app.stores()
        if key[1] in stores.get(key[0], {}) or time.monotonic() > deadline:
            return stores
        time.sleep(0.25)


@pytest.mark.parametrize("release", ["2024.9.1", "2026.7.3"])
def test_the_page_and_its_worker_get_the_module_as_pyscript_storage(
    storage_app: AppPage, release: str
) -> None:
    assert not storage_app.fixed_storage  # no harness swap: the page's own tag does it
    storage_app.pyscript = release
    storage_app.open()
    storage_app.wait_for("#page", text="saved by pyscript_storage.storage")
    assert storage_app.storage_module == "pyscript_storage"
    stores = _stores_when(storage_app, ("dropin-worker", "worker"))
    assert stores["dropin"] == {"page": "pyscript_storage.storage", "same": True}
    assert stores["dropin-worker"] == {"worker": "pyscript_storage.storage"}, stores
    assert storage_app.js("return window.pyscriptStorageDropIn.messages") == []
    storage_app.restart()  # what the module saved, read back by the module
    storage_app.wait_for("#page", text="saved by pyscript_storage.storage")


def test_the_oldest_release_gets_it_too(storage_app: AppPage) -> None:
    storage_app.pyscript = "2024.6.1"
    storage_app.open()
    storage_app.wait_for("#page", text="saved by pyscript_storage.storage")
    assert storage_app.stores()["dropin"] == {"page": "pyscript_storage.storage", "same": True}


def test_a_page_that_loads_it_twice_is_told(storage_app: AppPage) -> None:
    storage_app.open("twice.html")
    storage_app.wait_for("#page", text="pyscript.storage is pyscript_storage")
    said = storage_app.js("return window.pyscriptStorageDropIn.messages")
    assert len(said) == 1 and said[0].startswith("installed twice (from "), json.dumps(said)
    assert said[0].endswith("dropin.js?again); the second does nothing"), said


def test_a_page_that_installs_it_too_late_is_told(storage_app: AppPage) -> None:
    storage_app.open("late.html")
    storage_app.wait_for("#page", text="pyscript.storage is pyscript.storage")  # PyScript's own
    said = storage_app.js("return window.pyscriptStorageDropIn.messages")
    assert said and said[0].startswith("a PyScript script ran before the drop-in was installed"), said


def test_a_module_file_the_server_lacks_is_named_on_the_page(storage_app: AppPage) -> None:
    with pytest.raises(StepFailed) as failed:
        storage_app.open("broken/index.html")
    said = str(failed.value)
    assert "pyscript-storage drop-in: http://" in said
    assert "/broken/pyscript_storage/codec.py answered 404" in said
    assert "python -m pyscript_storage add APP_FOLDER copies them" in said
