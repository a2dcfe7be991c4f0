"""Any npm package by version, range or tag, from the real registry: resolved as npm
resolves it, verified against the registry's integrity, kept, and said when it cannot be."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from pyscript_storage_harness import npm


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYSCRIPT_STORAGE_CACHE", str(tmp_path))
    monkeypatch.setattr(npm, "_memo", {})
    return tmp_path


def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """npm pointed at a registry that refuses every connection (nothing listens on port 9)."""
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    monkeypatch.setattr(npm, "_memo", {})


def test_a_range_resolves_to_the_version_npm_installs_and_is_fetched_verified(cache: Path) -> None:
    resolved = npm.resolve("is-number", "^7")
    assert resolved.version == "7.0.0" and resolved.integrity.startswith("sha512-")
    folder = npm.unpacked(resolved)
    assert json.loads((folder / "package.json").read_text())["version"] == "7.0.0"
    assert "is-number@7.0.0" in npm.held()


def test_the_cache_answers_without_the_registry_and_says_so_for_a_range(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    npm.unpacked(npm.resolve("is-number", "7.0.0"))
    npm.resolve("is-number", "^7")
    _offline(monkeypatch)
    exact = npm.resolve("is-number", "7.0.0")
    assert exact.version == "7.0.0" and not exact.note  # an exact version in the cache: no registry asked
    ranged = npm.resolve("is-number", "^7")
    assert ranged.version == "7.0.0" and "the npm registry did not answer" in ranged.note
    with pytest.raises(
        npm.NpmError, match=r"is-number@\^6: the npm registry did not answer.*holds is-number@7.0.0"
    ):
        npm.resolve("is-number", "^6")


def test_a_tarball_that_does_not_match_the_published_integrity_is_not_unpacked(cache: Path) -> None:
    resolved = npm.resolve("is-number", "7.0.0")
    forged = dataclasses.replace(resolved, integrity="sha512-" + "A" * 86 + "==")
    with pytest.raises(npm.NpmError, match="does not match the integrity the registry publishes"):
        npm.unpacked(forged)
    assert "is-number@7.0.0" not in npm.held()


@pytest.mark.parametrize(
    ("name", "spec", "said"),
    [
        ("is-number", "99.0.0", "npm has no is-number@99.0.0"),
        (
            "no-such-package-pyscript-storage-zz",
            "1.0.0",
            "npm has no no-such-package-pyscript-storage-zz@1.0.0",
        ),
        ("Not A Name", "1", "is not an npm package name"),
        ("is-number", "../x", "not a version, range or tag"),
    ],
)
def test_what_npm_does_not_hold_is_named(cache: Path, name: str, spec: str, said: str) -> None:
    with pytest.raises(npm.NpmError, match=said.replace(".", r"\.")):
        npm.resolve(name, spec)
