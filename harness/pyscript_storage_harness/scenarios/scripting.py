"""The flat Scripting Storage API in the browser (issue 5), and its JavaScript twin.

The seed's three examples (shared/seeds/001_ed3078a7ed5bde0d.txt) run
verbatim as scripts: the page loads the script's stores first
(``await scripting.ready(name)``, what the Scripting app does before a
script runs), runs the code, and waits for its writes. The JS side is the
twin ``scripting.Storage`` on the same page, over the same entries.
"""

from __future__ import annotations

from .model import BOTH, JavaScript, Python, Reload, Restart, Scenario, Step

# The seed's examples, verbatim (the JS line differs only in TypeScript's <string>).
COUNTER = """
import scripting; Storage = scripting.Storage; Script = scripting.Script

count = (Storage.get("hits") or 0) + 1
Storage.set("hits", count)
Script.exit({"hits": count})
"""

SHARE = """
# Python side
import scripting; Storage = scripting.Storage
Storage.set("session_token", "abc123", shared=True)
"""

LIST_AND_CLEAR = """
import scripting; Storage = scripting.Storage

print("Stored keys:", Storage.keys())
Storage.clear()  # wipe everything this script wrote
"""


def script(name: str, code: str, *, result: object = None, stdout: str | None = None) -> Python:
    """A step that runs ``code`` as the script ``name``, as the Scripting app would.

    It checks the value the script ended with (``Script.exit``) and, when
    given, what it printed; then waits for its writes to commit.
    """
    check_stdout = f'assert "".join(_out) == {stdout!r}, _out' if stdout is not None else ""
    return Python(
        f"""
        import scripting as _scripting
        await _scripting.ready({name!r})
        _out = []

        def _print(*args, sep=" ", end="\\n", **_):  # what the script prints (MicroPython has no contextlib)
            _out.append(sep.join(str(arg) for arg in args) + end)

        result = None
        try:
            exec(compile({code!r}, "<script {name}>", "exec"), {{"__name__": "__main__", "print": _print}})
        except _scripting.ScriptExit as _exit:
            result = _exit.result
        await _scripting.sync()
        assert result == {result!r}, result
        {check_stdout}
        """
    )


_NOT_READY = Python(
    """
    import scripting
    try:
        scripting.Storage.get("hits")
    except RuntimeError as error:
        assert "await scripting.ready()" in str(error), error
    else:
        raise AssertionError("the flat API answered before its stores were loaded")
    """
)

_JS_READS_PYTHON = JavaScript(
    """
    const Storage = scripting.Storage;
    const token = Storage.get("session_token", { shared: true });
    if (token !== "abc123") throw new Error(`JS read ${JSON.stringify(token)}`);
    if (Storage.get("session_token") !== null) throw new Error("a shared key leaked into the script's own");
    if (Storage.get("missing", { shared: true }) !== null) throw new Error("missing is not null");
    Storage.set("from_js", { n: 1, list: [1, "two", null, true, 2.5], nested: { "": "" } }, { shared: true });
    Storage.set("mine_js", 7);
    Storage.setData("blob", new Uint8Array([0, 1, 2, 255]));
    if (!Storage.contains("blob") || Storage.contains("blob", { shared: true })) throw new Error("contains");
    const bad = [undefined, NaN, Infinity, new Date(0), new Map(), () => 1, 10n, Symbol("s"),
                 new Uint8Array(2), [1, undefined], { a: new Set() }];
    const cyclic = []; cyclic.push(cyclic); bad.push(cyclic);
    for (const value of bad) {
      let threw = null;
      try { Storage.set("bad", value, { shared: true }); } catch (error) { threw = error; }
      if (!(threw instanceof TypeError)) throw new Error(`stored ${String(value)}: ${threw}`);
    }
    for (const key of [1, null, undefined, ["a"]]) {
      let threw = null;
      try { Storage.set(key, 1); } catch (error) { threw = error; }
      if (!(threw instanceof TypeError)) throw new Error(`key ${String(key)} accepted`);
    }
    if (Storage.contains("bad", { shared: true })) throw new Error("a refused value was stored");
    return Storage.keys();
    """
)

_PYTHON_READS_JS = Python(
    """
    import scripting
    Storage = scripting.Storage
    assert Storage.get("from_js", shared=True) == {
        "n": 1, "list": [1, "two", None, True, 2.5], "nested": {"": ""}}, Storage.get("from_js", shared=True)
    assert Storage.get("mine_js") == 7 and type(Storage.get("mine_js")) is int
    assert Storage.getData("blob") == bytes([0, 1, 2, 255])
    try:
        Storage.get("blob")
    except TypeError:
        pass
    else:
        raise AssertionError("get() of a data key did not raise")
    assert sorted(Storage.keys()) == ["blob", "mine_js"], Storage.keys()
    Storage.setData("py_blob", bytes(range(256)), shared=True)
    Storage.set("py_value", {"unicode": "héllo ✓ 🐍", "float": 1.5}, shared=True)
    for bad in ({1, 2}, b"bytes", float("nan"), object(), {1: "int key"}):
        try:
            Storage.set("bad", bad, shared=True)
        except TypeError:
            pass
        else:
            raise AssertionError(f"stored {bad!r}")
    await scripting.sync()
    """
)

_AFTER_RELOAD: tuple[Step, ...] = (
    Python(
        """
        import scripting
        await scripting.ready("sharer")
        Storage = scripting.Storage
        assert Storage.get("session_token", shared=True) == "abc123"
        assert Storage.getData("blob") == bytes([0, 1, 2, 255])
        assert not Storage.contains("bad", shared=True)
        # The same entries, read through the pyscript.storage front end (upstream's format).
        from pyscript_storage import storage
        shared = await storage("scripting/shared")
        assert shared["session_token"] == "abc123" and shared["from_js"]["n"] == 1, dict(shared.items())
        """
    ),
    JavaScript(
        """
        const Storage = scripting.Storage;
        const got = Storage.get("from_js", { shared: true });  // (keys in any order: MicroPython's dicts)
        const same = Object.keys(got).sort().join() === "list,n,nested" && got.n === 1 &&
          JSON.stringify(got.list) === '[1,"two",null,true,2.5]' && JSON.stringify(got.nested) === '{"":""}';
        if (!same) throw new Error(JSON.stringify(got));
        const bytes = Storage.getData("py_blob", { shared: true });
        if (!(bytes instanceof Uint8Array) || bytes.length !== 256 || bytes[255] !== 255)
          throw new Error(`getData: ${bytes}`);
        const value = Storage.get("py_value", { shared: true });
        if (value.unicode !== "héllo ✓ 🐍" || value.float !== 1.5) throw new Error(JSON.stringify(value));
        if (Storage.getData("nothing") !== null) throw new Error("getData of a missing key");
        Storage.remove("mine_js");
        Storage.remove("never-there");
        await scripting.sync();
        return Storage.keys();
        """
    ),
    Reload(),
    Python(
        """
        import scripting
        await scripting.ready("sharer")
        assert scripting.Storage.keys() == ["blob"], scripting.Storage.keys()
        """
    ),
)

SCRIPTING: tuple[Scenario, ...] = (
    Scenario(
        "scripting-counter",
        "the flat API: the seed's counter example, verbatim, counts across reloads and a restart",
        (
            _NOT_READY,
            script("counter", COUNTER, result={"hits": 1}),
            Reload(),
            script("counter", COUNTER, result={"hits": 2}),
            Restart(),
            script("counter", COUNTER, result={"hits": 3}),
        ),
        interpreters=BOTH,
    ),
    Scenario(
        "scripting-js-twin",
        "the flat API: the seed's JS sharing example both ways, setData/getData, bad input refused",
        (
            script("sharer", SHARE),
            _JS_READS_PYTHON,
            _PYTHON_READS_JS,
            Reload(),
            *_AFTER_RELOAD,
        ),
        interpreters=BOTH,
    ),
    Scenario(
        "scripting-isolation",
        "the flat API: two scripts' keys are private, shared keys seen by both, clear() is per script",
        (
            Python(
                """
                import scripting
                await scripting.ready("alpha")
                scripting.Storage.set("a", 1)
                scripting.Storage.set("b", {"x": [1, 2.5, None, True]})
                scripting.Storage.set("keep", "shared", shared=True)
                await scripting.sync()
                """
            ),
            Reload(),
            Python(
                """
                import scripting
                await scripting.ready("beta")
                Storage = scripting.Storage
                assert Storage.keys() == [] and Storage.get("a") is None and not Storage.contains("a")
                assert Storage.get("keep", shared=True) == "shared"
                Storage.set("mine", 1)
                Storage.clear()
                Storage.set("mine", 2)
                await scripting.sync()
                """
            ),
            Reload(),
            script("alpha", LIST_AND_CLEAR, stdout="Stored keys: ['a', 'b']\n"),
            Reload(),
            Python(
                """
                import scripting
                await scripting.ready("alpha")
                assert scripting.Storage.keys() == [], scripting.Storage.keys()
                assert scripting.Storage.get("keep", shared=True) == "shared"
                await scripting.ready("beta")
                assert scripting.Storage.keys() == ["mine"] and scripting.Storage.get("mine") == 2
                """
            ),
        ),
        interpreters=BOTH,
    ),
)
