"""The engines table: every engine's IndexedDB files are recognised where its profile keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyscript_storage_harness import config
from pyscript_storage_harness.engines import ENGINES, engine, indexeddb_record_files, is_indexeddb_file

# Where each engine keeps one origin's records in a profile (seen on this machine's builds).
RECORDS = {
    "chromium": "Default/IndexedDB/http_127.0.0.1_8000.indexeddb.leveldb/000003.log",
    "firefox": "storage/default/http+++127.0.0.1+8000/idb/2918063365piupsah.sqlite",
    "webkit": "databases/indexeddb/v1/abc/def/IndexedDB.sqlite3",
}


def test_every_engine_has_an_entry_and_the_config_knows_them() -> None:
    assert set(ENGINES) == set(RECORDS) == set(config.ENGINES)
    with pytest.raises(KeyError, match="unknown engine 'lynx'"):
        engine("lynx")


@pytest.mark.parametrize("name", sorted(RECORDS))
def test_record_files_are_found_and_recognised(tmp_path: Path, name: str) -> None:
    record = tmp_path / RECORDS[name]
    record.parent.mkdir(parents=True)
    record.write_bytes(b"x" * 100)
    (tmp_path / "Default" / "Cookies").parent.mkdir(exist_ok=True)
    (tmp_path / "Default" / "Cookies").write_bytes(b"not IndexedDB")
    assert indexeddb_record_files(tmp_path) == [record]
    assert is_indexeddb_file(str(record))
    assert not is_indexeddb_file(str(tmp_path / "Default" / "Cookies"))
