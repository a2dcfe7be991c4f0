"""The benchmarks' chart: a bar per implementation, as a multiple of raw IndexedDB's time."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from benchmarks.chart import write_svg


def test_bars_are_ratios_to_raw_on_a_log_scale(tmp_path: Path) -> None:
    report = {
        "runs": 3,
        "engines": {
            "chromium": {
                "version": "Chromium 156",
                "medians": {
                    "open-1000": {"ours": 0.02, "upstream": 0.2, "raw": 0.01, "ours-mpy": 0.04},
                    "value-5MB": {"ours": 0.03, "upstream": 0.02, "raw": 0.03, "ours-mpy": None},
                },
            }
        },
    }
    path = tmp_path / "chart.svg"
    write_svg(report, path)
    root = ElementTree.parse(path).getroot()  # well-formed SVG
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert titles == [
        "ours: 0.020 s, 2.00x raw",
        "upstream: 0.200 s, 20.00x raw",
        "ours-mpy: 0.040 s, 4.00x raw",
        "ours: 0.030 s, 1.00x raw",
        "upstream: 0.020 s, 0.67x raw",
    ]  # no bar where an implementation has no time
    widths = {t.text: float(r.get("width", 0)) for r in root.iter("{http://www.w3.org/2000/svg}rect")
              for t in r.iter("{http://www.w3.org/2000/svg}title")}  # fmt: skip
    assert widths["upstream: 0.200 s, 20.00x raw"] > widths["ours-mpy: 0.040 s, 4.00x raw"] > widths[
        "ours: 0.020 s, 2.00x raw"]  # fmt: skip
