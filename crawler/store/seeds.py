"""The seed corpus: text captures of stories already known, imported once and never alerted."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from crawler.dedup.text import content_hash, is_furniture
from crawler.domain.errors import PantauError
from crawler.store.db import Database
from crawler.store.models import SeedDocument
from crawler.store.neardup import NearDuplicateIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SeedImport:
    imported: int
    already_present: int
    duplicates: int


def import_seeds(database: Database, folder: Path, index: NearDuplicateIndex | None = None) -> SeedImport:
    """Store and index every `*.txt` file of `folder` not stored yet (by file name).

    A seed that repeats another seed is still stored, in that seed's story cluster, and counted.
    """
    if not folder.is_dir():
        raise PantauError(f"seed folder {folder} does not exist")
    index = index or NearDuplicateIndex()
    imported = already_present = duplicates = 0
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        with database.session() as session:
            if session.scalar(select(SeedDocument.id).where(SeedDocument.name == path.name)):
                already_present += 1
                continue
            seed = SeedDocument(
                name=path.name, title=_first_heading(text), body=text, content_hash=content_hash(text)
            )
            session.add(seed)
            session.flush()
            verdict = index.add(session, "seed", seed.id, seed.title, text)
            imported += 1
            duplicates += verdict.kind != "new"
    log.info(
        "seed corpus %s: %d imported (%d repeat another seed), %d already present",
        folder,
        imported,
        duplicates,
        already_present,
    )
    return SeedImport(imported=imported, already_present=already_present, duplicates=duplicates)


def import_seeds_on_first_start(database: Database, folder: Path) -> None:
    """Import the configured seed folder when the database holds no seed yet."""
    with database.session() as session:
        if session.scalar(select(func.count()).select_from(SeedDocument)):
            return
    if folder.is_dir():
        import_seeds(database, folder)
    else:
        log.warning("seed folder %s does not exist; the seed corpus is empty", folder)


def _first_heading(text: str) -> str:
    """The first line that reads like a headline: captures open with ad strings and other furniture."""
    lines = [line.strip() for line in text.splitlines() if not is_furniture(line)]
    headline = next((line for line in lines if 4 <= len(line.split()) <= 30 and line[-1] not in ".!?"), None)
    return (headline or next(iter(lines), ""))[:500]
