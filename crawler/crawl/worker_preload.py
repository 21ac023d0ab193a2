"""Imported by the fork server of the extraction workers, never by the crawling process: the word
tables every worker reads are loaded here once, before any worker is forked.

A forked worker shares the fork server's memory until it writes to it, so the tables (about 14 MiB)
are kept once, not once per worker, and no worker spends its first story reading them. The objects
are frozen out of the garbage collector's reach, whose passes would otherwise write to their pages
and make each worker copy them after all (`gc.freeze`, Python's advice for pre-forking servers).
"""

from __future__ import annotations

import gc

from crawler.matching.morphology import load_word_data

load_word_data()
gc.freeze()
