"""What a Playwright browser records for a test: pytest-playwright's options, honoured.

``--headed``, ``--slowmo``, ``--tracing`` and ``--video`` (``on``, ``off`` or
``retain-on-failure``) and ``--output`` are pytest-playwright's own options; the
storage fixtures read them when that plugin is installed. Each browser session
of a test (a restart or a kill starts a new one) leaves its own trace file; at
the end of the test they are kept in ``<output>/<test id>/`` or thrown away.
WebKitGTK (driven through Selenium) records nothing.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Recording"]


@dataclass
class Recording:
    """pytest-playwright's settings for one test, and the files recorded so far."""

    headed: bool = False
    slow_mo: float = 0.0  # milliseconds between Playwright actions
    tracing: str = "off"  # on, off, retain-on-failure
    video: str = "off"
    scratch: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="pyscript-storage-rec-")))
    traces: int = 0

    @property
    def trace(self) -> bool:
        return self.tracing != "off"

    @property
    def video_dir(self) -> Path | None:
        return self.scratch / "videos" if self.video != "off" else None

    def next_trace(self) -> Path:
        """Where the browser session now ending writes its trace."""
        self.traces += 1
        return self.scratch / (f"trace-{self.traces}.zip" if self.traces > 1 else "trace.zip")

    def finish(self, output: Path, test_id: str, failed: bool) -> Path | None:
        """Keep what the options say to keep for this outcome; the folder kept, or None."""
        keep_trace = self.tracing == "on" or (self.tracing == "retain-on-failure" and failed)
        keep_video = self.video == "on" or (self.video == "retain-on-failure" and failed)
        kept = [p for p in self.scratch.glob("trace*.zip") if keep_trace]
        videos = self.video_dir
        if keep_video and videos is not None and videos.is_dir():
            kept += sorted(videos.glob("*.webm"))
        folder = output / re.sub(r"[^\w.-]+", "-", test_id).strip("-")
        if kept:
            folder.mkdir(parents=True, exist_ok=True)
            for path in kept:
                shutil.move(str(path), folder / path.name)
        shutil.rmtree(self.scratch, ignore_errors=True)
        return folder if kept else None
