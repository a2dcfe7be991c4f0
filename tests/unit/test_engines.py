"""The engines table: every engine's IndexedDB files are recognised where its profile keeps them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyscript_storage_harness import config
from pyscript_storage_harness.engines import (
    ENGINES,
    debian_packages,
    engine,
    indexeddb_record_files,
    is_indexeddb_file,
)

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


def test_bin_setup_installs_every_engines_packages_from_the_table() -> None:
    """bin/setup reads the table with Debian's python3 (no venv yet): each package once."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    code = "from pyscript_storage_harness.engines import debian_packages as d; print(*d(), sep='\\n')"
    printed = subprocess.run(
        ["python3", "-I", "-c", f"import sys; sys.path.insert(0, 'harness'); {code}"],
        cwd=root, capture_output=True, text=True, check=True, timeout=60,
    ).stdout.split()  # fmt: skip
    assert printed == debian_packages()
    assert sorted(printed) == sorted({p for entry in ENGINES.values() for p in entry.debian_packages})
    assert "debian_packages()" in (root / "bin" / "setup").read_text()
