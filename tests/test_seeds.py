"""The seed corpus: imported once by file name, hashed like articles, and part of the near-duplicate index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawler.dedup.text import content_hash
from crawler.domain.errors import PantauError
from crawler.store.db import Database
from crawler.store.models import NearDuplicateSignature, SeedDocument
from crawler.store.neardup import NearDuplicateIndex
from crawler.store.seeds import SeedImport, import_seeds, import_seeds_on_first_start
from tests.conftest import FIXTURES, ROOT

SEEDS = ROOT / "config" / "seeds"


def test_import_stores_hashes_and_indexes_every_seed_once(database: Database) -> None:
    assert import_seeds(database, SEEDS) == SeedImport(imported=2, already_present=0, duplicates=0)
    assert import_seeds(database, SEEDS) == SeedImport(imported=0, already_present=2, duplicates=0)
    with database.session() as session:
        seeds = session.scalars(select(SeedDocument).order_by(SeedDocument.name)).all()
        indexed = session.scalar(select(func.count()).select_from(NearDuplicateSignature))
        assert [(seed.name, seed.content_hash) for seed in seeds] == [
            (path.name, content_hash(path.read_text(encoding="utf-8")))
            for path in sorted(SEEDS.glob("*.txt"))
        ]
        assert all(seed.cluster_id is not None for seed in seeds)
        assert [seed.title for seed in seeds] == [
            "Intelijen AS: Rusia Beli Roket dan Peluru dari Korea Utara untuk Perang di Ukraina",
            "Kim Jong Un Sebut Rusia Bakal Menang dalam Perang di Ukraina",
        ]
        assert indexed == 2


def test_a_seed_repeating_another_joins_its_cluster(database: Database, tmp_path: Path) -> None:
    shutil.copy(SEEDS / "000_d8c0db3640f267ed.txt", tmp_path / "000.txt")
    shutil.copy(FIXTURES / "dedup" / "rmol_seed_clean.txt", tmp_path / "001.txt")
    assert import_seeds(database, tmp_path) == SeedImport(imported=2, already_present=0, duplicates=1)
    with database.session() as session:
        clusters = session.scalars(select(SeedDocument.cluster_id)).all()
    assert len(set(clusters)) == 1


def test_an_article_copying_a_seed_is_a_near_duplicate_of_it(database: Database) -> None:
    import_seeds(database, SEEDS)
    clean = (FIXTURES / "dedup" / "bisnis_seed_clean.txt").read_text(encoding="utf-8")
    with database.session() as session:
        verdict = NearDuplicateIndex().check(session, "Kim Jong Un Sebut Rusia Bakal Menang", clean)
    assert verdict.kind == "near"
    assert verdict.duplicate_of is not None
    assert (verdict.duplicate_of.kind, verdict.duplicate_of.label) == ("seed", "004_64116d368e759003.txt")


def test_first_start_imports_only_into_an_empty_corpus(sqlite_database: Database, tmp_path: Path) -> None:
    import_seeds_on_first_start(sqlite_database, SEEDS)
    (tmp_path / "later.txt").write_text("Sebuah cerita lain yang ditambahkan kemudian.", encoding="utf-8")
    import_seeds_on_first_start(sqlite_database, tmp_path)
    with sqlite_database.session() as session:
        assert session.scalar(select(func.count()).select_from(SeedDocument)) == 2


def test_a_missing_seed_folder_is_a_clear_error(sqlite_database: Database, tmp_path: Path) -> None:
    with pytest.raises(PantauError, match=r"^seed folder .*nowhere does not exist$"):
        import_seeds(sqlite_database, tmp_path / "nowhere")
