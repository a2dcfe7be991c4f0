"""The benchmarks' ratios as one SVG chart, for the performance page (no plotting library).

For each engine and workload, a bar per implementation: its median time as a
multiple of raw IndexedDB's (raw is 1x, the floor), on a log scale, so ours,
upstream and ours on MicroPython sit side by side.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path
from typing import Any

__all__ = ["write_svg"]

SHOWN = (("ours", "#2f6db3"), ("upstream", "#c0504d"), ("ours-mpy", "#7f9f3f"))
SCALE = (0.5, 200.0)  # the x axis: times raw IndexedDB's, log scale
LEFT, WIDTH, BAR, GAP = 150, 420, 9, 10


def _x(ratio: float) -> float:
    low, high = (math.log10(v) for v in SCALE)
    clipped = min(max(ratio, SCALE[0]), SCALE[1])
    return LEFT + WIDTH * (math.log10(clipped) - low) / (high - low)


def write_svg(report: dict[str, Any], path: Path) -> None:
    """Draw ``report`` (what ``python -m benchmarks --json`` writes) into ``path``."""
    rows: list[str] = []
    y = 34
    for engine, result in report["engines"].items():
        rows.append(
            f'<text x="0" y="{y}" font-weight="bold">{escape(engine)}: {escape(result["version"])}</text>'
        )
        y += 12
        for workload, medians in result["medians"].items():
            raw = medians.get("raw")
            rows.append(f'<text x="0" y="{y + 2 * BAR}" font-size="11">{escape(workload)}</text>')
            for name, colour in SHOWN:
                seconds = medians.get(name)
                if raw and seconds:
                    ratio = seconds / raw
                    rows.append(
                        f'<rect x="{LEFT}" y="{y}" width="{_x(ratio) - LEFT:.1f}" height="{BAR - 1}" '
                        f'fill="{colour}"><title>{name}: {seconds:.3f} s, {ratio:.2f}x raw</title></rect>'
                        f'<text x="{_x(ratio) + 3:.1f}" y="{y + BAR - 1}" font-size="9">{ratio:.1f}x</text>'
                    )
                y += BAR
            y += GAP
        y += 10
    ticks = []
    for value in (0.5, 1, 2, 5, 10, 20, 50, 100, 200):
        x, stroke = _x(value), 1.5 if value == 1 else 0.5
        ticks.append(
            f'<line x1="{x:.1f}" y1="18" x2="{x:.1f}" y2="{y}" stroke="#ccc" stroke-width="{stroke}"/>'
            f'<text x="{x:.1f}" y="12" font-size="9" text-anchor="middle">{value:g}x</text>'
        )
    legend = "".join(
        f'<rect x="{LEFT + 130 * i}" y="{y + 4}" width="10" height="8" fill="{colour}"/>'
        f'<text x="{LEFT + 14 + 130 * i}" y="{y + 12}" font-size="11">{name}</text>'
        for i, (name, colour) in enumerate(SHOWN)
    )
    height = y + 24
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{LEFT + WIDTH + 60}" height="{height}" '
        f'font-family="sans-serif" font-size="12">'
        f'<rect width="100%" height="100%" fill="white"/>{"".join(ticks)}{"".join(rows)}{legend}'
        f'<text x="0" y="{height - 2}" font-size="9">median time as a multiple of raw IndexedDB (log scale; '
        f"{report.get('runs', '?')} runs)</text></svg>"
    )
    path.write_text(svg, encoding="utf-8")
