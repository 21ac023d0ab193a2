"""Running `pantau` in a child process: a Twisted reactor cannot restart, so each crawl gets its own."""

from __future__ import annotations

import asyncio
import inspect
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run_pantau(
    *args: str,
    config: Path,
    database_url: str,
    proxy: str | None = None,
    timeout: float = 240,
    python_path: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """`pantau --config CONFIG --db URL ARGS…` with no internet: only loopback proxies; `python_path`
    is searched for modules (and installed-package metadata) before the rest."""
    environment = {key: value for key, value in os.environ.items() if not key.lower().endswith("_proxy")}
    if proxy:
        environment["http_proxy"] = proxy
    if python_path is not None:
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(python_path), os.environ.get("PYTHONPATH")])
        )
    environment["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "crawler", "--config", str(config), "--db", database_url, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=timeout,
        check=False,
    )


def settle(outcome: Any) -> Any:
    """A pipeline stage's result: ExtractStage is a coroutine (it awaits the extraction pool)."""
    return asyncio.run(outcome) if inspect.isawaitable(outcome) else outcome
