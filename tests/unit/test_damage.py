"""damage_databases: which profile files it breaks, and how (no browser needed)."""

from __future__ import annotations

from pathlib import Path

from pyscript_storage_harness.profile_faults import damage_databases


def test_damages_each_engines_indexeddb_files_in_the_middle(tmp_path: Path) -> None:
    files = {
        "Default/IndexedDB/http_127.0.0.1_80.indexeddb.leveldb/000003.log": 4096,  # Chromium
        "storage/default/http+++127.0.0.1+80/idb/123store.sqlite": 8192,  # Firefox
        "data/databases/indexeddb/v1/http_127.0.0.1_80/AB12/IndexedDB.sqlite3": 8192,  # WebKit
    }
    untouched = {
        "Default/IndexedDB/http_127.0.0.1_80.indexeddb.leveldb/MANIFEST-000001": 4096,
        "Default/IndexedDB/http_127.0.0.1_80.indexeddb.leveldb/000005.log": 10,  # too small
        "Default/Cookies": 4096,
    }
    for name, size in {**files, **untouched}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * size)

    damaged = damage_databases(tmp_path)

    assert sorted(damaged) == sorted(tmp_path / name for name in files)
    for name, size in files.items():
        data = (tmp_path / name).read_bytes()
        assert len(data) == size  # overwritten in place, not truncated or grown
        assert data[: size // 2] == b"\0" * (size // 2) and data[size // 2] == 0xFF
    for name, size in untouched.items():
        assert (tmp_path / name).read_bytes() == b"\0" * size


def test_nothing_to_damage_is_an_empty_list(tmp_path: Path) -> None:
    assert damage_databases(tmp_path) == []


def test_a_killed_chromiums_socket_folder_in_tmp_is_removed_and_nothing_else(tmp_path: Path) -> None:
    import tempfile

    from pyscript_storage_harness.profile_faults import _drop_singleton_folder

    socket_folder = Path(tempfile.mkdtemp(prefix="org.chromium.Chromium."))
    (socket_folder / "SingletonSocket").touch()
    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "SingletonSocket").symlink_to(socket_folder / "SingletonSocket")
    _drop_singleton_folder(profile)
    assert not socket_folder.exists()
    elsewhere = tmp_path / "org.chromium.Chromium.mine"  # not in the temp folder: not Chromium's
    elsewhere.mkdir()
    (profile / "SingletonSocket").unlink()
    (profile / "SingletonSocket").symlink_to(elsewhere / "SingletonSocket")
    _drop_singleton_folder(profile)
    _drop_singleton_folder(tmp_path / "no-profile")
    assert elsewhere.is_dir()
