"""Model-based: random sequences of dict operations, generated here, replayed in each real engine.

Hypothesis generates a sequence of operations (set, delete, update, pop,
popitem, clear, sync, reopen) on CPython. The sequence becomes Python code
run on a real page against a fresh store, and on a plain dict (the model);
after a final sync the stored state, read through a new connection (and,
for every fourth sequence, after a real page reload), must equal the model.
A failing sequence is shrunk by Hypothesis (replaying each candidate in the
browser) and printed as the code that fails.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from pyscript_storage_harness.pytest_plugin import StoragePage

_names = itertools.count()

# Few keys, so operations meet the keys earlier ones wrote.
keys = st.sampled_from(["a", "", "ключ🐍", 0, -7, 2.5, ("x", 1)])
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**60), 2**60),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=8),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=6,
)
values = st.one_of(json_values, st.binary(max_size=8).map(bytearray))
operations = st.lists(
    st.one_of(
        # Writes weigh more than the rest, so later operations meet stored keys.
        st.tuples(st.just("set"), keys, values),
        st.tuples(st.just("set"), keys, values),
        st.tuples(st.just("update"), st.dictionaries(keys, values, min_size=1, max_size=3)),
        st.tuples(st.just("delete"), keys),
        st.tuples(st.just("pop"), keys),
        st.tuples(st.just("popitem")),
        st.tuples(st.just("clear")),
        st.tuples(st.just("sync")),
        st.tuples(st.just("reopen")),
    ),
    min_size=3,
    max_size=16,
)


def as_code(name: str, ops: list[tuple[Any, ...]]) -> str:
    """The Python that applies ``ops`` to the store ``name`` (and to ``model``, a plain dict)."""
    lines = [
        "from pyscript_storage import storage",
        f"s = await storage({name!r})",
        "model = {}",
    ]
    for op in ops:
        kind = op[0]
        if kind == "set":
            lines.append(f"s[{op[1]!r}] = model[{op[1]!r}] = {op[2]!r}")
        elif kind == "delete":
            lines.append(f"if {op[1]!r} in model: del s[{op[1]!r}]; del model[{op[1]!r}]")
        elif kind == "update":
            lines.append(f"s.update({op[1]!r}); model.update({op[1]!r})")
        elif kind == "pop":
            lines.append(f"assert s.pop({op[1]!r}, 'none') == model.pop({op[1]!r}, 'none')")
        elif kind == "popitem":
            # Which item is last may differ after a reopen (IndexedDB returns keys in key order).
            lines.append("if model: k, v = s.popitem(); assert model.pop(k) == v")
        elif kind == "clear":
            lines.append("s.clear(); model.clear()")
        elif kind == "sync":
            lines.append("await s.sync()")
        elif kind == "reopen":  # what another page would read now
            lines.append(f"await s.sync(); s = await storage({name!r}); assert dict(s.items()) == model")
    lines.append("await s.sync()")
    lines.append("result = repr(sorted(model.items(), key=repr))")
    return "\n".join(lines)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same sequences in every CI run; failures reproduce
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_stored_state_equals_a_plain_dict(storage_page: StoragePage, ops: list) -> None:  # type: ignore[type-arg]
    """Each sequence ends by reading the store back through a new connection (what another
    page would see); every fourth one also reloads the page for real and reads it again."""
    number = next(_names)
    name = f"model-{number}"
    code = as_code(name, ops)
    note(f"the sequence, as run on the page:\n{code}")
    expected = storage_page.run(
        code + f"\ns = await storage({name!r})\nassert dict(s.items()) == model, (dict(s.items()), model)"
    )
    if number % 4:
        return
    storage_page.reload()
    stored = storage_page.run(
        f"""
        from pyscript_storage import storage
        s = await storage({name!r})
        result = repr(sorted(s.items(), key=repr))
        """
    )
    assert stored == expected, f"after a reload the store differs from the model:\n{code}"
