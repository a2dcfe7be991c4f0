"""The Flatted codec and the value format, checked against npm flatted itself."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from typing import Any

import pytest

from pyscript_storage import codec
from pyscript_storage_harness.assets import FLATTED, ensure

# Values whose JSON text is the same in Python and JavaScript (no floats, keys
# in an order JavaScript keeps: no integer-like keys after other keys).
SAME_TEXT: list[Any] = [
    0,
    -12,
    "",
    "plain",
    "ünïcödé ✓ 🐍",
    'quote " back \\ slash \n\t\r\b\f \x00 \x1f',
    "lone \ud800 surrogate \udfff",
    True,
    None,
    [],
    {},
    [1, "a", "a", [2, ["a"]], {"k": "a"}],
    {"name": "x", "list": [1, 2, {"deep": ["x"]}], "": "empty key"},
    ["generic", {"settings": {"notifications": True, "sound": False}}],
]


def _node_flatted(script: str, payload: Any) -> Any:
    if shutil.which("node") is None:
        pytest.fail("node is needed to check the codec against npm flatted: apt-get install nodejs")
    module = ensure(FLATTED) / "cjs" / "index.js"
    program = (
        f"const F = require({json.dumps(str(module))});"
        "let data = ''; process.stdin.on('data', c => data += c);"
        f"process.stdin.on('end', () => {{ const input = JSON.parse(data); {script} }});"
    )
    done = subprocess.run(
        ["node", "-e", program],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


def test_stringify_matches_npm_flatted_byte_for_byte() -> None:
    js_texts = _node_flatted("console.log(JSON.stringify(input.map(v => F.stringify(v))))", SAME_TEXT)
    assert [codec.stringify(v) for v in SAME_TEXT] == js_texts


def test_npm_flatted_parses_what_we_write_and_we_parse_what_it_writes() -> None:
    ours = [codec.stringify(v) for v in SAME_TEXT]
    # JS parses our text and writes it again: same text back means same structure.
    again = _node_flatted("console.log(JSON.stringify(input.map(t => F.stringify(F.parse(t)))))", ours)
    assert again == ours
    assert [codec.parse(t) for t in again] == SAME_TEXT


def test_circular_and_shared_references_match_npm_flatted() -> None:
    texts = _node_flatted(
        "const a = [1]; a.push(a); const o = {n: 'o'}; o.self = o;"
        "const shared = ['s']; const s = [shared, shared];"
        "console.log(JSON.stringify([a, o, s].map(v => F.stringify(v))))",
        None,
    )
    a: list[Any] = [1]
    a.append(a)
    o: dict[str, Any] = {"n": "o"}
    o["self"] = o
    shared = ["s"]
    assert [codec.stringify(v) for v in (a, o, [shared, shared])] == texts
    back = codec.parse(texts[0])
    assert back[1] is back
    back = codec.parse(texts[1])
    assert back["self"] is back
    back = codec.parse(texts[2])
    assert back[0] is back[1] and back[0] == ["s"]


@pytest.mark.parametrize(
    "value, kind",
    [
        (None, "null"),
        (True, "generic"),
        (7, "generic"),
        (2**70, "generic"),
        (1.5, "generic"),
        (-0.0, "generic"),
        ("text", "generic"),
        ([1, [2, [3]]], "generic"),
        ({"a": {"b": None}}, "generic"),
        (bytearray(b"\x00\xffbin"), "bytearray"),
    ],
)
def test_encode_round_trip_and_kind(value: Any, kind: str) -> None:
    text = codec.encode(value)
    assert codec.parse(text)[0] == kind
    back = codec.decode(text)
    assert back == value and type(back) is type(value)
    if isinstance(value, float):
        assert math.copysign(1, back) == math.copysign(1, value)


def test_tuple_comes_back_as_list() -> None:
    assert codec.decode(codec.encode((1, (2, "x")))) == [1, [2, "x"]]


def test_memoryview_is_stored_as_its_bytes() -> None:
    view = memoryview(bytearray(b"abc"))
    back = codec.decode(codec.encode(view))
    assert isinstance(back, memoryview) and back.tobytes() == b"abc"
    assert codec.encode(view) == '[["1","2"],"memoryview",[97,98,99]]'


def test_upstream_python_text_is_read() -> None:
    # What upstream's flatted.py writes (json.dumps default separators, ASCII escapes).
    upstream = '[["1", "2"], "generic", {"theme": "3", "n": 14}, "dark \\u00e9"]'
    assert codec.decode(upstream) == {"theme": "dark é", "n": 14}


def test_deep_nesting_has_no_recursion_limit() -> None:
    value: list[Any] = []
    inner = value
    for _ in range(50_000):
        inner.append([])
        inner = inner[0]
    back = codec.decode(codec.encode(value))
    depth = 0
    while back:
        back = back[0]
        depth += 1
    assert depth == 50_000


@pytest.mark.parametrize(
    "value, error",
    [
        ({1, 2}, TypeError),
        (object(), TypeError),
        (b"bytes", TypeError),
        (len, TypeError),
        ([bytearray(b"x")], TypeError),
        ({"k": memoryview(b"x")}, TypeError),
        ({1: "int key inside a value"}, TypeError),
        (float("nan"), ValueError),
        ([float("inf")], ValueError),
        (complex(1, 2), TypeError),
    ],
)
def test_unsupported_values_raise(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        codec.encode(value)


@pytest.mark.parametrize("key", ["k", "", 0, -5, 2**53 - 1, 1.5, (1, "a"), (), ((1,), ("x", 2.5))])
def test_good_keys(key: Any) -> None:
    codec.check_key(key)
    # What IndexedDB hands back through JSON: arrays as lists.
    assert codec.restore_key(json.loads(json.dumps(key))) == key


@pytest.mark.parametrize(
    "key", [True, None, 2**53, float("nan"), b"k", frozenset(), (1, None), ([1],), (True,)]
)
def test_bad_keys(key: Any) -> None:
    with pytest.raises(TypeError):
        codec.check_key(key)
