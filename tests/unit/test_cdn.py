"""CDN addresses name npm packages by version, PyScript releases name their core version,
and what cannot be answered says why (parse and the table: no network)."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from pyscript_storage_harness import releases
from pyscript_storage_harness.app import switch_interpreter
from pyscript_storage_harness.cdn import (
    CdnMiss,
    Wanted,
    addresses_in,
    interpreter_addresses,
    parse,
    rewrite,
    split_override,
)
from pyscript_storage_harness.npm import integrity_matches


@pytest.mark.parametrize(
    ("address", "name", "spec", "file"),
    [
        ("pyscript.net/releases/2026.7.3/core.js", "@pyscript/core", "0.7.31", "dist/core.js"),
        ("pyscript.net/releases/2024.9.1/core.css", "@pyscript/core", "0.5.12", "dist/core.css"),
        ("pyscript.net/releases/2024.6.2/core.js", "@pyscript/core", "0.4.51", "dist/core.js"),  # near patch
        (
            "cdn.jsdelivr.net/npm/@pyscript/core@0.7.31/dist/core.css",
            "@pyscript/core",
            "0.7.31",
            "dist/core.css",
        ),
        ("cdn.jsdelivr.net/pyodide/v0.26.2/full/pyodide.mjs", "pyodide", "0.26.2", "pyodide.mjs"),
        (
            "cdn.jsdelivr.net/npm/@micropython/micropython-webassembly-pyscript@1.24.0-preview-114/micropython.mjs",
            "@micropython/micropython-webassembly-pyscript",
            "1.24.0-preview-114",
            "micropython.mjs",
        ),
        (
            "cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css",
            "bootstrap",
            "5.3.3",
            "dist/css/bootstrap.min.css",
        ),
        ("cdn.jsdelivr.net/npm/bootstrap@5.3/dist/js/x.js", "bootstrap", "5.3", "dist/js/x.js"),
        ("unpkg.com/htmx.org@^1/dist/htmx.min.js?v=2", "htmx.org", "^1", "dist/htmx.min.js"),
        ("unpkg.com/flatted", "flatted", "latest", ""),
        ("cdn.jsdelivr.net/npm/@scope/pkg/file.js", "@scope/pkg", "latest", "file.js"),
    ],
)
def test_an_address_names_a_package_a_spec_and_a_file(address: str, name: str, spec: str, file: str) -> None:
    wanted = parse(address)
    assert isinstance(wanted, Wanted), wanted
    assert (wanted.name, wanted.spec, wanted.file) == (name, spec, file)


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("pyscript.net/releases/2022.05.1/pyscript.js", "releases before 2023.11.1 had no @pyscript/core"),
        ("pyscript.net/releases/nonsense/core.js", "'nonsense' is not a release"),
        ("cdn.jsdelivr.net/gh/user/repo@1/x.js", "GitHub and combine addresses are not npm packages"),
        ("cdn.jsdelivr.net/npm/lodash@4/+esm", "a bundle jsDelivr builds itself"),
        ("cdn.jsdelivr.net/pyodide/v0.26.2/full/../../../etc/passwd", "not a file of the package"),
        ("example.com/x.js", "not an npm package address"),
    ],
)
def test_what_cannot_be_answered_says_why(address: str, said: str) -> None:
    missed = parse(address)
    assert isinstance(missed, CdnMiss) and said in str(missed) and address in str(missed)


def test_a_near_patch_is_refused_when_exact_versions_are_asked_for() -> None:
    missed = parse("pyscript.net/releases/2024.6.2/core.js", exact=True)
    assert isinstance(missed, CdnMiss)
    assert "core 0.4.50, which npm does not have" in missed.reason and "0.4.51" in missed.reason
    assert isinstance(parse("pyscript.net/releases/2024.9.1/core.js", exact=True), Wanted)


def test_another_release_is_served_for_every_pyscript_address_when_asked() -> None:
    wanted = parse("pyscript.net/releases/2024.9.1/core.js", pyscript="2026.7.3")
    assert isinstance(wanted, Wanted) and wanted.spec == "0.7.31" and wanted.asked_release == "2024.9.1"
    core = parse("cdn.jsdelivr.net/npm/@pyscript/core@0.5.12/dist/core.js", pyscript="2026.7.3")
    assert isinstance(core, Wanted) and core.spec == "0.7.31"
    assert isinstance(parse("pyscript.net/releases/2024.9.1/core.js", pyscript="1999.1.1"), CdnMiss)
    assert split_override("~2026.7.3/pyscript.net/releases/2024.9.1/core.js") == (
        "2026.7.3",
        "pyscript.net/releases/2024.9.1/core.js",
    )
    assert split_override("pyscript.net/x") == (None, "pyscript.net/x")


def test_the_release_table_covers_every_release_with_storage_and_names_npm_versions() -> None:
    table = releases.releases()
    names = [r.name for r in table]
    assert names == sorted(names, key=releases.version_key) and len(names) == len(set(names))
    with_storage = [r for r in table if r.has_storage]
    assert with_storage[0].name == "2024.6.2" and table[-1].name == "2026.7.3"
    assert releases.release("2026.7.3").core == "0.7.31" and releases.release("2024.9.1").exact
    for row in table:  # npm's version is the core itself or a later patch of its minor version
        assert row.npm.split(".")[:2] == row.core.split(".")[:2]
        assert releases.version_key(row.npm) >= releases.version_key(row.core)
    with pytest.raises(releases.UnknownRelease, match="2023.11.1 to 2026.7.3"):
        releases.release("2024.13.1")


def test_the_table_is_what_the_tags_say(tmp_path: Path) -> None:
    """read_table on a repository with three tags: the core package moved folders in 2024.10."""
    repo = tmp_path / "pyscript"

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    repo.mkdir()
    git("init", "-q")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    for tag, folder, version in (
        ("2024.6.2", "pyscript.core", "0.4.50"),
        ("2024.9.1", "pyscript.core", "0.5.12"),
        ("2024.10.1", "core", "0.6.2"),
    ):
        (repo / folder).mkdir(exist_ok=True)
        (repo / folder / "package.json").write_text(json.dumps({"version": version}))
        git("add", "-A")
        git("commit", "-qm", tag)
        git("tag", tag)
    table = releases.read_table(repo, ["0.4.51", "0.5.12", "0.6.6", "0.6.10"])
    assert [(r.name, r.core, r.npm) for r in table] == [
        ("2024.6.2", "0.4.50", "0.4.51"),
        ("2024.9.1", "0.5.12", "0.5.12"),
        ("2024.10.1", "0.6.2", "0.6.6"),
    ]


def test_versions_order_as_semver() -> None:
    order = ["1.24.0-preview-47", "1.24.0-preview-114", "1.24.0", "1.24.1", "1.28.0-6", "1.28.0"]
    assert sorted(reversed(order), key=releases.version_key) == order
    assert releases.nearest_patch("0.4.50", ["0.4.48", "0.4.56", "0.4.51", "0.5.0"]) == "0.4.51"
    assert releases.nearest_patch("0.6.70", ["0.6.66", "0.7.0"]) is None


def test_addresses_are_found_in_text_and_the_cores_interpreters_in_its_dist(tmp_path: Path) -> None:
    text = (
        '<link href="https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css">'
        "<script src='https://pyscript.net/releases/2024.9.1/core.js'></script>"
        "`https://cdn.jsdelivr.net/pyodide/v${e}/full/pyodide.mjs` url(https://unpkg.com/a@1/b.css)"
    )
    assert addresses_in(text) == [
        "cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css",
        "pyscript.net/releases/2024.9.1/core.js",
        "unpkg.com/a@1/b.css",
    ]
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "core-x.js").write_text(
        'var a={type:"pyodide",module:(e="0.26.2")=>`https://cdn.jsdelivr.net/pyodide/v${e}/full/pyodide.mjs`};'
        'var b={type:"micropython",module:(e="1.24.0-preview-114")=>`...`};'
    )
    assert interpreter_addresses(tmp_path) == [
        "cdn.jsdelivr.net/pyodide/v0.26.2/full/pyodide.mjs",
        "cdn.jsdelivr.net/npm/@micropython/micropython-webassembly-pyscript@1.24.0-preview-114/micropython.mjs",
    ]


def test_rewrite_points_every_cdn_at_the_origin_and_nothing_else() -> None:
    text = (
        '<script src="https://pyscript.net/releases/2026.7.3/core.js"></script>'
        "`https://cdn.jsdelivr.net/pyodide/v${e}/full/pyodide.mjs` https://unpkg.com/a https://example.com/x"
    )
    origin = "http://127.0.0.1:5000"
    assert rewrite(text, origin) == (
        f'<script src="{origin}/__cdn__/pyscript.net/releases/2026.7.3/core.js"></script>'
        f"`{origin}/__cdn__/cdn.jsdelivr.net/pyodide/v${{e}}/full/pyodide.mjs` {origin}/__cdn__/unpkg.com/a "
        "https://example.com/x"
    )
    assert rewrite("https://pyscript.net/releases/2024.9.1/core.js", origin, "2026.7.3") == (
        f"{origin}/__cdn__/~2026.7.3/pyscript.net/releases/2024.9.1/core.js"
    )


def test_integrity_is_checked_with_the_algorithm_it_names() -> None:
    body = b"alert(1)"
    sha384 = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    assert integrity_matches(body, sha384)
    assert integrity_matches(body, "sha256-AAAA " + sha384)
    assert not integrity_matches(b"alert(2)", sha384)
    assert not integrity_matches(body, "md5-whatever")


def test_a_page_switches_interpreter_both_ways() -> None:
    page = (
        '<py-config>x</py-config><script type="py" src="main.py"></script>'
        "<button py-click='go'>go</button><script type=\"py-editor\"></script>"
    )
    on_micropython = switch_interpreter(page, "micropython")
    assert on_micropython == (
        '<mpy-config>x</mpy-config><script type="mpy" src="main.py"></script>'
        "<button mpy-click='go'>go</button><script type=\"py-editor\"></script>"
    )
    assert switch_interpreter(on_micropython, "pyodide") == page
