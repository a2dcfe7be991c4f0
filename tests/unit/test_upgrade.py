"""The upgrade check's pure parts: OLD..NEW read and checked, and two readings of the
stores compared value for value, every difference a line."""

from __future__ import annotations

import pytest

from pyscript_storage_harness.app import Upgrade, store_changes
from pyscript_storage_harness.releases import UnknownRelease


def test_old_and_new_are_two_known_releases() -> None:
    assert Upgrade.parse("2024.9.1..2026.7.3") == Upgrade("2024.9.1", "2026.7.3", 1.0)
    for text in ("2024.9.1", "2024.9.1..", "..2026.7.3", "2024.9.1-2026.7.3"):
        with pytest.raises(ValueError, match="give two releases as OLD..NEW"):
            Upgrade.parse(text)
    with pytest.raises(UnknownRelease, match="'2024.13.1' is not a release"):
        Upgrade.parse("2024.13.1..2026.7.3")
    with pytest.raises(ValueError, match="--settle -1"):
        Upgrade.parse("2024.9.1..2026.7.3", settle=-1)


def test_equal_stores_have_no_changes() -> None:
    stores = {"app": {"n": 1, ("t", 1): [1.5, None], "b": bytearray(b"x")}}
    assert store_changes(stores, {"app": dict(stores["app"])}) == []


def test_every_difference_is_a_line() -> None:
    before = {"app": {"n": 1, "kept": "k", "gone": [1], "typed": (1, 2)}, "old": {"a": 1}}
    after = {"app": {"n": 1.0, "kept": "k", "typed": [1, 2], "new": True}, "fresh": {}}
    assert store_changes(before, after) == [
        "store app, key 'gone': gone (was [1])",
        "store app, key 'n': 1 -> 1.0",
        "store app, key 'new': new, True",
        "store app, key 'typed': (1, 2) -> [1, 2]",
        "store fresh: new (0 keys)",
        "store old: gone (1 keys before)",
    ]


def test_long_values_are_cut_in_the_lines() -> None:
    (line,) = store_changes({"s": {"k": "x" * 500}}, {"s": {"k": "y"}})
    assert line.startswith("store s, key 'k': 'xxx") and "... -> 'y'" in line and len(line) < 120
