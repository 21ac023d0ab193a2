"""The offline demo's data: a configuration and a WARC of portal pages, shipped inside the package.

The archive is every registered family's replay fixtures (tests/fixtures/replay/<family>/manifest.json)
packed into one file; a test checks the two never drift. After changing a fixture, rebuild it:

    python -c "from pathlib import Path; from crawler.demo import build_demo_archive; \
               build_demo_archive(Path('tests/fixtures/replay'))"
"""

from __future__ import annotations

from pathlib import Path

from crawler.crawl.replay import ArchivedResponse, manifest_responses, write_archive
from crawler.portals import registry

DEMO_FOLDER = Path(__file__).resolve().parent
DEMO_CONFIG = DEMO_FOLDER / "pantau.yaml"
DEMO_ARCHIVE = DEMO_FOLDER / "portals.warc.gz"


def demo_responses(replay_fixtures: Path) -> dict[str, ArchivedResponse]:
    """Every response of the families' replay manifests under `replay_fixtures`, by URL."""
    responses: dict[str, ArchivedResponse] = {}
    for family in registry.names():
        responses.update(manifest_responses(replay_fixtures / family / "manifest.json"))
    return responses


def build_demo_archive(replay_fixtures: Path, archive: Path = DEMO_ARCHIVE) -> int:
    """Pack the replay fixtures into the demo archive; returns how many responses it holds."""
    responses = demo_responses(replay_fixtures)
    write_archive(archive, responses)
    return len(responses)
