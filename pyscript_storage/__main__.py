"""``python -m pyscript_storage add APP_FOLDER``: put the drop-in into a PyScript app.

The module's files (the drop-in, ``dropin.js``, among them) are copied into
``APP_FOLDER/pyscript_storage/``; with ``--page`` each page gets the module script that
installs it, before its PyScript ``core.js`` tag. The app keeps ``from pyscript import storage``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

import pyscript_storage

PACKAGE = Path(__file__).resolve().parent
FOLDER_NAME = "pyscript_storage"
EXAMPLE_CORE = "https://pyscript.net/releases/2026.7.3/core.js"
_CORE_TAG = re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["'](?P<url>[^"']*/core\.js(?:[?#][^"']*)?)["'][^>]*>""")
_DROPIN_IMPORT = re.compile(r"""\bfrom\s*["'][^"']*/dropin\.js["']""")


class AddError(Exception):
    """What stops ``add``, said to the user as it is."""


def module_files() -> list[Path]:
    """The files a page needs: the package's Python and JavaScript, sorted by name."""
    return sorted(
        file for file in PACKAGE.iterdir() if file.suffix in (".py", ".js") and file.name != "__main__.py"
    )


def copy_module(app: Path) -> Path:
    """``app/pyscript_storage/`` holding this module's files, and only them (an older copy is
    replaced); a folder of that name that is not such a copy is left alone, with an error."""
    if not app.is_dir():
        raise AddError(f"{app}: no such folder (the folder your app's pages are served from)")
    target = app / FOLDER_NAME
    if target.exists():
        if not (target / "dropin.js").is_file():
            raise AddError(f"{target} exists and is not a copy of the drop-in: move it away first")
        shutil.rmtree(target)
    target.mkdir()
    for file in module_files():
        shutil.copyfile(file, target / file.name)
    return target


def dropin_block(core: str, src: str, indent: str = "") -> str:
    """The module script that installs the drop-in into the PyScript of ``core`` (core.js's
    address): it goes before the page's core.js tag, so its hooks are in before PyScript starts."""
    lines = [
        '<script type="module">',
        f'  import {{ hooks }} from "{core}";',
        f'  import {{ install }} from "{src}";',
        "  install(hooks);",
        "</script>",
    ]
    return f"\n{indent}".join(lines)


def add_tag(page: Path, dropin: Path) -> str:
    """Add the drop-in's module script to ``page``, before its core.js tag; what was done, in words."""
    if not page.is_file():
        raise AddError(f"{page}: no such page")
    html = page.read_text("utf-8")
    if _DROPIN_IMPORT.search(html):
        return f"{page}: already loads the drop-in"
    core = _CORE_TAG.search(html)
    if core is None:
        raise AddError(
            f"{page} loads no PyScript core.js with a <script src=...>: add the drop-in's block by hand, "
            "before PyScript starts:\n" + dropin_block("CORE_JS_URL", f"./{FOLDER_NAME}/dropin.js")
        )
    src = Path(os.path.relpath(dropin, page.parent)).as_posix()
    src = src if src.startswith(".") else f"./{src}"
    found = re.search(r"[ \t]*\Z", html[: core.start()])
    indent = found[0] if found else ""
    block = dropin_block(core["url"], src, indent)
    page.write_text(f"{html[: core.start()]}{block}\n{indent}{html[core.start() :]}", "utf-8")
    return f"{page}: added the drop-in before its core.js ({src})"


def main(argv: list[str] | None = None) -> int:
    """The command line; 0 when done, 1 (with the reason) when not."""
    parser = argparse.ArgumentParser(
        prog="python -m pyscript_storage",
        description="Use pyscript_storage in a PyScript app in place of PyScript's own storage: "
        "the app keeps `from pyscript import storage`, on Pyodide and MicroPython, in pages and workers.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add = commands.add_parser(
        "add",
        help="copy the module into an app folder (and install it on pages)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=f"Copy the module's files into APP_FOLDER/{FOLDER_NAME}/ (replacing an older copy).\n"
        "A page gets it from a module script placed before its PyScript core.js tag, naming the\n"
        "same core.js (--page writes it for you):\n\n"
        f"  {dropin_block(EXAMPLE_CORE, f'./{FOLDER_NAME}/dropin.js', '  ')}\n"
        f'  <script type="module" src="{EXAMPLE_CORE}"></script>\n\n'
        "The app keeps `from pyscript import storage`. Serve the folder as you do now.",
        epilog=f"example: python -m pyscript_storage add ./app --page index.html\n"
        f"(pyscript-storage {pyscript_storage.__version__})",
    )
    add.add_argument(
        "app", type=Path, metavar="APP_FOLDER", help="the folder your app's pages are served from"
    )
    add.add_argument(
        "--page",
        action="append",
        default=[],
        metavar="PAGE",
        help="a page (relative to APP_FOLDER) to get the drop-in: its block goes before the page's "
        "core.js tag; repeat for more pages",
    )
    args = parser.parse_args(argv)
    try:
        target = copy_module(args.app)
        version = pyscript_storage.__version__
        print(f"copied {len(module_files())} files to {target} (pyscript-storage {version})")
        for page in args.page:
            print(add_tag(args.app / page, target / "dropin.js"))
        if not args.page:
            block = dropin_block("CORE_JS_URL", f"./{FOLDER_NAME}/dropin.js")
            print(f"on each page, before PyScript's core.js tag (or rerun with --page PAGE):\n{block}")
    except AddError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
