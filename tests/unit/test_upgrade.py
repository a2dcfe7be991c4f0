"""The upgrade check's pure parts: OLD..NEW read and checked, and two readings of the
stores compared value for value, every difference a line."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyscript_storage_harness import cdn, cli, pytest_plugin
from pyscript_storage_harness.app import Upgrade, changed_keys, store_changes
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


@pytest.mark.parametrize(
    ("html", "named"),
    [
        ('<script type="py">print(1)</script>', True),
        ("<script type='mpy' src='main.py'></script>", True),
        ("<py-script>print(1)</py-script>", True),
        ('<script type="module" src="./vendor/core.js"></script>', True),
        ('<script type="python">x</script><p>pyscript</p>', False),
        ("<p>nothing here</p>", False),
    ],
)
def test_a_page_names_pyscript_by_its_scripts_or_its_core(html: str, named: bool) -> None:
    assert cdn.names_pyscript(html) is named


def test_the_core_addresses_are_the_ones_another_release_replaces() -> None:
    html = (
        '<link href="https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css">'
        '<script src="https://pyscript.net/releases/2024.9.1/core.js"></script>'
        '<script src="https://unpkg.com/@pyscript/core@0.5.12/dist/core.js"></script>'
    )
    assert cdn.core_addresses(html) == [
        "pyscript.net/releases/2024.9.1/core.js",
        "unpkg.com/@pyscript/core@0.5.12/dist/core.js",
    ]


def test_an_app_without_pyscript_is_refused_before_any_browser_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "index.html").write_text("<p>no python here</p>")
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "index.html").write_text('<script type="module" src="core.js"></script>')
    assert cli.main(["app", str(tmp_path / "plain")]) == 2
    assert "no page names PyScript (index.html" in capsys.readouterr().out
    assert cli.main(["app", str(tmp_path / "local"), "--upgrade", "2024.9.1..2026.7.3"]) == 2
    said = " ".join(capsys.readouterr().out.split())
    assert "no page loads PyScript from a CDN address" in said and "--upgrade has no release to swap" in said
    assert cli.main(["fetch", "--app", str(tmp_path / "local")]) == 2
    assert "nothing of PyScript to fetch" in " ".join(capsys.readouterr().out.split())


class _Options:
    """What _cdn_options reads of a pytest config: options by dest, ini keys by name."""

    def __init__(self, options: dict[str, object], ini: dict[str, str]) -> None:
        self.options, self.ini = options, ini

    def getoption(self, name: str) -> object:
        return self.options.get(name)

    def getini(self, name: str) -> str:
        return self.ini.get(name, "")


@pytest.mark.parametrize(
    ("option", "ini", "online"),
    [(None, "", False), (None, "true", True), (None, "no", False), (True, "", True), (None, "1", True)],
)
def test_storage_online_comes_from_the_option_or_the_ini_key(option: object, ini: str, online: bool) -> None:
    config = _Options({"storage_online": option, "storage_pyscript": "2026.7.3"}, {"storage_online": ini})
    options = pytest_plugin._cdn_options(config)  # type: ignore[arg-type]
    assert options.online is online and options.pyscript == "2026.7.3" and not options.exact


def test_a_long_value_shows_where_it_changed() -> None:
    stamp = '{"label": "' + "w" * 60 + '", "start_count": "2026-12-06T15:08:06.%d", "counter": 0.0}'
    (line,) = store_changes({"s": {"data": stamp % 1}}, {"s": {"data": stamp % 2}})
    at = (stamp % 1).index("06.1") + 3 + 1  # the repr's opening quote comes first
    assert "15:08:06.1" in line and "15:08:06.2" in line and f"(from character {at})" in line
    assert line.count("w") < 60  # the long same part is cut


def test_keys_the_app_rewrites_on_its_own_are_found_and_left_out() -> None:
    first = {"app": {"stamp": 1, "kept": [1], "gone": 0}, "other": {"x": 1}}
    second = {"app": {"stamp": 2, "kept": [1], "new": 0}, "other": {"x": 1}}
    volatile = changed_keys(first, second)
    assert volatile == {("app", "stamp"), ("app", "gone"), ("app", "new")}
    after = {"app": {"stamp": 3, "kept": [1.0], "new": "0"}, "other": {"x": 1}}
    assert store_changes(second, after, volatile) == [
        "store app, key 'kept': [1] -> [1.0]",
        "store app, key 'new' (rewritten by the app): a int, now a str",
    ]
    assert store_changes(second, {"app": {"kept": [1]}, "other": {"x": 1}}, volatile) == [
        "store app, key 'new': gone (was 0)",
        "store app, key 'stamp': gone (was 2)",
    ]


def test_a_note_shared_by_core_js_and_core_css_is_said_once_in_the_console() -> None:
    from pyscript_storage_harness.app import _inject

    note = "2024.9.1 asked for, PyScript release 2026.7.3 served"
    page = _inject("<html><head></head></html>", notes=[note, note, "another"])
    assert page.count(note) == 1 and page.count("another") == 1
