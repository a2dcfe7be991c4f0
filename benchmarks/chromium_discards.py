"""python -m benchmarks.chromium_discards: how often Chromium throws an origin's IndexedDB away.

    python -m benchmarks.chromium_discards                # 60 trials per setting
    python -m benchmarks.chromium_discards --trials 20 --json reports/discards.json
    python -m benchmarks.chromium_discards --trials 100 --setting "default (mirror bucket), writes in flight"

After a SIGKILL, Chromium (LevelDB backing store) sometimes deletes the whole
origin's IndexedDB on the next start ("checksum mismatch"). This runs the
durability scenario (write 200 keys, sync, SIGKILL, start again, count) in the
config's Chromium project four ways, one after the other in one session:

  default (mirror bucket)     the suite's scenario, storage(name): 5 batches being written at
                              the kill; the store's copy in a Storage Bucket restores a discard
  one copy, writes in flight  the same with storage(name, mirror=False): what Chromium does
  one copy, idle at the kill  every batch synced, then 1 s with nothing written
  sqlite, one copy            Chromium's SQLite backing store (--enable-features=IdbSqliteBackingStore)

and prints, per setting, trials, databases discarded (with Chromium's reasons)
and synced keys lost. A figure to record, never a timed test: discards are rare
(a few in a hundred), so use 60 trials or more.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from pyscript_storage_harness.config import Config, Project, load
from pyscript_storage_harness.runner import Session, run_cell
from pyscript_storage_harness.scenarios import durability
from pyscript_storage_harness.scenarios.faults import DISCARDED, RESTORED
from pyscript_storage_harness.wheel import Wheel, prepared

from .choice import REPO_CONFIG

SQLITE_FLAG = "--enable-features=IdbSqliteBackingStore"
SETTINGS = (  # name, idle at the kill, extra Chromium arguments, storage(mirror=)
    ("default (mirror bucket), writes in flight", False, (), True),
    ("one copy, writes in flight", False, (), False),
    ("one copy, idle at the kill", True, (), False),
    ("sqlite, one copy, writes in flight", False, (SQLITE_FLAG,), False),
)


def _backing_store(session: Session) -> str:
    """Which store Chromium kept IndexedDB in, in the newest profile: a flag it ignored shows."""
    newest = max(session.profiles.iterdir(), key=lambda path: path.stat().st_mtime)
    folders = list(newest.glob("Default/IndexedDB/*"))
    if any(folder.name.endswith(".indexeddb.leveldb") for folder in folders):
        return "leveldb"
    return "sqlite" if folders else "none found"


def chromium_parser(prog: str, doc: str | None, trials: str) -> argparse.ArgumentParser:
    """The options the Chromium kill benchmarks share: --trials, --engine, --config, --json."""
    parser = argparse.ArgumentParser(
        prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=60, help=f"{trials} (default 60)")
    parser.add_argument("--engine", default="chromium", help="the config's Chromium project")
    parser.add_argument("--config", type=Path, default=REPO_CONFIG, help="the harness config to use")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures as JSON")
    return parser


def chromium_project(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[Config, Project]:
    """The config and its Chromium project the options name; a usage error otherwise."""
    if args.trials < 1:
        parser.error("--trials needs at least 1")
    config = load(args.config)
    project = config.project(args.engine)
    if project.engine != "chromium":
        parser.error(f"{args.engine} is a {project.engine} project; this measures Chromium")
    return config, project


def main(argv: list[str] | None = None) -> int:
    parser = chromium_parser("python -m benchmarks.chromium_discards", __doc__, "SIGKILL trials per setting")
    names = [setting[0] for setting in SETTINGS]
    parser.add_argument("--setting", action="append", choices=names, metavar="NAME",
                        help=f"only this setting (repeatable): {'; '.join(names)}")  # fmt: skip
    args = parser.parse_args(argv)
    config, project = chromium_project(parser, args)
    console = Console(width=None if sys.stdout.isatty() else 170)  # logs: no wrapping at 80
    with prepared() as wheel:
        rows = _measure(config, project, wheel, args.trials, console, args.setting or [])
    _print(rows, console)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0 if all(row["status"] == "passed" for row in rows) else 1


def _measure(
    config: Config, project: Project, wheel: Wheel, trials: int, console: Console, only: list[str]
) -> list[dict[str, Any]]:
    """Each setting's durability cell, in one session; a row of figures per setting."""
    rows = []
    with Session(config, wheel) as session:
        for name, idle, extra, mirror in SETTINGS:
            if only and name not in only:
                continue
            browser = dataclasses.replace(project, args=(*project.args, *extra))
            # about 4-6 s a trial on a 2-core machine
            with console.status(f"{name}: {trials} trials (a few seconds each)..."):
                cell = run_cell(session, durability(trials, idle=idle, mirror=mirror), browser)
            discarded = cell.figures.get(DISCARDED, 0)
            done = f"{name}: {cell.status} in {cell.seconds:.0f} s, {discarded} discarded"
            console.print(done, highlight=False)
            row = {
                "setting": name,
                "backing store": _backing_store(session),
                "status": cell.status,
                "trials": cell.figures.get("trials", 0),
                "discarded": cell.figures.get(DISCARDED, 0),
                "synced keys written": cell.figures.get("synced keys written", 0),
                "synced keys lost": cell.figures.get("synced keys lost", 0),
                "restored from the mirror": cell.figures.get(RESTORED, 0),
                "synced keys lost with a discarded database (at least)": cell.figures.get(
                    "synced keys lost with a discarded database (at least)", 0
                ),
                "reasons": sorted(set(cell.data_loss)),
                "version": cell.engine_version,
            }
            if cell.status != "passed":
                console.print(cell.detail[-2000:], markup=False)
            rows.append(row)
    return rows


def _print(rows: list[dict[str, Any]], console: Console) -> None:
    table = Table(title=f"Chromium databases discarded after SIGKILL ({rows[0]['version']})")
    columns = ("setting", "store", "trials", "discarded", "rate", "restored from the mirror",
               "keys lost: partly / with a discard")  # fmt: skip
    for column in (*columns, "reasons", "cell"):
        table.add_column(column)
    for row in rows:
        rate = f"{row['discarded'] / row['trials']:.1%}" if row["trials"] else "-"
        table.add_row(
            row["setting"],
            row["backing store"],
            str(row["trials"]),
            str(row["discarded"]),
            rate,
            str(row["restored from the mirror"]),
            f"{row['synced keys lost']} / {row['synced keys lost with a discarded database (at least)']}+",
            "; ".join(row["reasons"]) or "-",
            row["status"],
        )
    console.print(table)


if __name__ == "__main__":
    sys.exit(main())
