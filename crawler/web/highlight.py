"""Match terms marked in a field's text: the stored hits' offsets cut the text into plain and marked
pieces, which the template escapes and wraps; no HTML is ever built from story text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def marked(text: str, hits: Iterable[dict[str, Any]], field: str) -> list[tuple[str, bool]]:
    """The text as (piece, is_a_hit) pairs; overlapping hits join, offsets outside the text are dropped."""
    spans: list[tuple[int, int]] = []
    for hit in sorted(
        (hit for hit in hits if hit.get("field") == field), key=lambda hit: (hit["start"], hit["end"])
    ):
        start, end = int(hit["start"]), int(hit["end"])
        if not 0 <= start < end <= len(text):
            continue
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in spans:
        if start > cursor:
            pieces.append((text[cursor:start], False))
        pieces.append((text[start:end], True))
        cursor = end
    if cursor < len(text) or not pieces:
        pieces.append((text[cursor:], False))
    return pieces
