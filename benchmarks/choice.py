"""What a benchmark command runs on: this checkout's browser projects, or the ones asked for."""

from __future__ import annotations

from pathlib import Path

from pyscript_storage_harness.config import Config, load

__all__ = ["REPO_CONFIG", "chosen_engines"]

REPO_CONFIG = Path(__file__).resolve().parent.parent / "playwright.config.toml"


def chosen_engines(config_path: Path, asked: list[str] | None) -> tuple[Config, list[str]]:
    """The config and the projects to run (``asked``, or all of them); ConfigError names what is wrong."""
    config = load(config_path)
    engines = asked or [project.name for project in config.projects]
    for name in engines:
        config.project(name)  # ConfigError for a project the config does not have
    return config, engines
