"""The watch query language: a parser that reports the column of a mistake, and the evaluator.

Grammar, loosest binding first (operators are upper case; adjacent operands mean AND):

    query   := or ;  or := and ("OR" and)* ;  and := not (["AND"] not)*
    not     := "NOT" not | near ;  near := primary ("NEAR/n" primary)*
    primary := FIELD ":" primary | "count(" or ")>=" N | "(" or ")" | ["="] (WORD | "PHRASE")

No space may follow FIELD ":" (`title: Rusia` is an error, not the words `title` and `Rusia`).

Why this is long: the node types are shared by the parser that builds them, the evaluator that runs
them and the requirements they derive (page text for the pre-check, a story's words for the filter
before evaluation); split apart, each half would import the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar

from crawler.domain.errors import QuerySyntaxError
from crawler.domain.matches import Hit
from crawler.matching.document import FIELDS, Document, WordKind
from crawler.matching.morphology import is_listed_name, listed_runs, without_name_clitics
from crawler.matching.names import is_name_term
from crawler.matching.precheck import Anchor, Requirement, word_anchors
from crawler.matching.text import Token, tokens


class _Span(NamedTuple):
    """Where a positional operand occurs: token positions in one field, and the terms inside it."""

    field: str
    first: int
    end: int
    term: str | None  # None for a NEAR pair, whose terms are in `parts`
    parts: tuple[_Span, ...] = ()

    def terms(self) -> Iterable[_Span]:
        if self.term is not None:
            yield self
        for part in self.parts:
            yield from part.terms()


# A match is the spans that justify it; an empty list matches without hits (a satisfied NOT).
_Result = list[_Span] | None


class _Node:
    column: int
    positional = False  # positional nodes yield occurrences that NEAR and count() can use

    def evaluate(self, document: Document, fields: tuple[str, ...]) -> _Result:
        raise NotImplementedError

    def occurrences(self, document: Document, fields: tuple[str, ...]) -> list[_Span]:
        raise NotImplementedError

    def requirement(self, keys: _Keys[_K]) -> _Needs[_K]:
        """Clauses a story must satisfy to match: each needs one of its keys present."""
        raise NotImplementedError

    def requires_presence(self) -> bool:
        """Whether every match of this node has at least one hit."""
        raise NotImplementedError


class _Positional(_Node):
    positional = True

    def evaluate(self, document: Document, fields: tuple[str, ...]) -> _Result:
        return self.occurrences(document, fields) or None

    def requires_presence(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class _Word:
    form: str  # for a name, without its clitics
    root: str | None  # None: exact form only (always for a name)
    kind: WordKind


_K = TypeVar("_K")
_Needs = tuple[frozenset[_K], ...]
"""What a story must hold to match: each clause needs one of its keys; () needs nothing."""


class _Keys(Generic[_K]):
    """What stands for a word in a requirement (one of its keys must be present), and how rare a
    clause is (an OR too wide to expand keeps only its most selective clause)."""

    def of(self, word: _Word) -> frozenset[_K]:
        raise NotImplementedError

    def selectivity(self, clause: frozenset[_K]) -> tuple[bool, int]:
        raise NotImplementedError


class _TextAnchors(_Keys[Anchor]):
    """Substrings of a page's text: the pre-check, before extraction (see `precheck`)."""

    def of(self, word: _Word) -> frozenset[Anchor]:
        return word_anchors(word.form, word.root, name=word.kind is WordKind.NAME)

    def selectivity(self, clause: frozenset[Anchor]) -> tuple[bool, int]:
        return all(anchor.whole_word for anchor in clause), min(
            (len(anchor.text) for anchor in clause), default=0
        )


class _WordKeys(_Keys[str]):
    """The form and root of a word, among an analysed story's words (`Document.words`): most
    watches are ruled out by a set lookup or two instead of being evaluated."""

    def of(self, word: _Word) -> frozenset[str]:
        return frozenset((word.form,) if word.root is None else (word.form, word.root))

    def selectivity(self, clause: frozenset[str]) -> tuple[bool, int]:
        return True, min(map(len, clause), default=0)


_ANCHORS = _TextAnchors()
_WORDS = _WordKeys()


@dataclass(eq=False)
class _Words(_Positional):
    """A term or phrase: consecutive tokens, each matched by stem unless written exact (`=`)."""

    label: str
    words: tuple[_Word, ...]
    column: int
    _enclosable: bool = field(init=False, repr=False)
    _listed: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # A name is not matched inside a longer listed name that is not what it names (`Gading` in
        # `Kelapa Gading`, `Padang` in `Padang Lawas`, `Kudus` in `Roh Kudus`): see
        # `Document.inside_longer_name`.
        forms = tuple(word.form for word in self.words)
        self._enclosable = any(word.kind is not WordKind.ORDINARY for word in self.words)
        self._listed = is_listed_name(forms[0]) if len(forms) == 1 else forms in listed_runs(forms[0])

    def occurrences(self, document: Document, fields: tuple[str, ...]) -> list[_Span]:
        found: list[_Span] = []
        first, rest = self.words[0], self.words[1:]
        for name in fields:
            analyzed = document.field(name)
            if analyzed is None:
                continue
            count = len(analyzed.forms)
            for position in document.positions(name, first.form, first.root, first.kind):
                end = position + 1 + len(rest)
                if (
                    end <= count
                    and all(
                        document.token_matches(name, position + 1 + offset, word.form, word.root, word.kind)
                        for offset, word in enumerate(rest)
                    )
                    and not (
                        self._enclosable
                        and document.inside_longer_name(name, position, end, listed=self._listed)
                    )
                ):
                    found.append(_Span(name, position, end, self.label))
        return found

    def requirement(self, keys: _Keys[_K]) -> _Needs[_K]:
        return tuple(keys.of(word) for word in self.words)


@dataclass(eq=False)
class _AnyOf(_Positional):
    """Alternatives that are all positional: an alias set, or an OR of terms and phrases."""

    options: tuple[_Node, ...]
    column: int

    def occurrences(self, document: Document, fields: tuple[str, ...]) -> list[_Span]:
        return [span for option in self.options for span in option.occurrences(document, fields)]

    def requirement(self, keys: _Keys[_K]) -> _Needs[_K]:
        return _either((option.requirement(keys) for option in self.options), keys)


@dataclass(eq=False)
class _Scoped(_Node):
    """`title:x`, `lead:x`, `body:x`: the operand is looked for in that field only."""

    field: str
    operand: _Node
    column: int

    def __post_init__(self) -> None:
        self.positional = self.operand.positional

    def evaluate(self, document: Document, fields: tuple[str, ...]) -> _Result:
        return self.operand.evaluate(document, (self.field,))

    def occurrences(self, document: Document, fields: tuple[str, ...]) -> list[_Span]:
        return self.operand.occurrences(document, (self.field,))

    def requirement(self, keys: _Keys[_K]) -> _Needs[_K]:
        return self.operand.requirement(keys)

    def requires_presence(self) -> bool:
        return self.operand.requires_presence()


@dataclass(eq=False)
class _Near(_Positional):
    """`a NEAR/n b`: both in one field, in either order, with at most n words between them."""

    left: _Node
    right: _Node
    distance: int
    column: int

    def occurrences(self, document: Document, fields: tuple[str, ...]) -> list[_Span]:
        rights = self.right.occurrences(document, fields)
        if not rights:
            return []
        pairs = []
        for left in self.left.occurrences(document, fields):
            for right in rights:
                if left.field != right.field:
                    continue
                gap = right.first - left.end if right.first >= left.end else left.first - right.end
                if 0 <= gap <= self.distance:
                    first, end = min(left.first, right.first), max(left.end, right.end)
                    pairs.append(_Span(left.field, first, end, None, (left, right)))
        return pairs

    def requirement(self, keys: _Keys[_K]) -> _Needs[_K]:
        return self.left.requirement(keys) + self.right.requirement(keys)


@dataclass(eq=False)
class _Count(_Node):
    """`count(x)>=n`: x occurs at least n times (distinct places) in the fields in scope."""

    operand: _Node
    minimum: int
    column: int

    def evaluate(self, document: Document, fields: tuple[str, ...]) -> _Result:
        spans = self.operand.occurrences(document, fields)
        distinct = {(span.field, span.first, span.end) for span in spans}
        return spans if len(distinct) >= self.minimum else None

    def requirement(self, keys: _Keys[_K]) -> _Needs[_K]:
        return self.operand.requirement(keys)

    def requires_presence(self) -> bool:
        return True


@dataclass(eq=False)
class _All(_Node):
    operands: tuple[_Node, ...]
    column: int

    def evaluate(self, document: Document, fields: tuple[str, ...]) -> _Result:
        spans: list[_Span] = []
        for operand in self.operands:
            found = operand.evaluate(document, fields)
            if found is None:
                return None
            spans.extend(found)
        return spans

    def requirement(self, keys: _Keys[_K]) -> _Needs[_K]:
        return tuple(clause for operand in self.operands for clause in operand.requirement(keys))

    def requires_presence(self) -> bool:
        return any(operand.requires_presence() for operand in self.operands)


@dataclass(eq=False)
class _Either(_Node):
    """OR over operands some of which are not positional (else it is an `_AnyOf`)."""

    operands: tuple[_Node, ...]
    column: int

    def evaluate(self, document: Document, fields: tuple[str, ...]) -> _Result:
        spans: list[_Span] | None = None
        for operand in self.operands:
            found = operand.evaluate(document, fields)
            if found is not None:
                spans = (spans or []) + found
        return spans

    def requirement(self, keys: _Keys[_K]) -> _Needs[_K]:
        return _either((operand.requirement(keys) for operand in self.operands), keys)

    def requires_presence(self) -> bool:
        return all(operand.requires_presence() for operand in self.operands)


@dataclass(eq=False)
class _Not(_Node):
    operand: _Node
    column: int

    def evaluate(self, document: Document, fields: tuple[str, ...]) -> _Result:
        return [] if self.operand.evaluate(document, fields) is None else None

    def requirement(self, keys: _Keys[_K]) -> _Needs[_K]:
        return ()

    def requires_presence(self) -> bool:
        return False


def _written_terms(node: _Node) -> Iterator[str]:
    if isinstance(node, _Words):
        yield node.label
    elif not isinstance(node, _Not):
        for value in vars(node).values():
            for child in value if isinstance(value, tuple) else (value,):
                if isinstance(child, _Node):
                    yield from _written_terms(child)


def _either(requirements: Iterable[_Needs[_K]], keys: _Keys[_K]) -> _Needs[_K]:
    """What any one of several alternatives requires: (a AND b) OR c needs (a OR c) AND (b OR c)."""
    clauses: list[frozenset[_K]] = [frozenset()]
    for requirement in requirements:
        if not requirement:
            return ()
        if len(clauses) * len(requirement) > _MAX_CLAUSES:
            requirement = (max(requirement, key=keys.selectivity),)
        clauses = [clause | other for clause in clauses for other in requirement]
    return tuple(clauses)


_MAX_CLAUSES = 16


class Query:
    """A parsed watch query; `evaluate` says whether fields match and which hits prove it."""

    def __init__(self, text: str, root: _Node) -> None:
        self.text = text
        self._root = root
        # What a story's text must contain, most selective clause first; () rules nothing out.
        clauses = {clause for clause in root.requirement(_ANCHORS) if all(anchor.text for anchor in clause)}
        self.requirement: Requirement = tuple(sorted(clauses, key=_ANCHORS.selectivity, reverse=True))
        # The same for an analysed story's words, asked before evaluating the query on it.
        self._needs = tuple(sorted(set(root.requirement(_WORDS)), key=_WORDS.selectivity, reverse=True))

    def __repr__(self) -> str:
        return f"Query({self.text!r})"

    def search_terms(self) -> tuple[str, ...]:
        """The terms and phrases as written (none under NOT), once each: what to search a portal for."""
        return tuple(dict.fromkeys(_written_terms(self._root)))

    def evaluate(self, fields: Mapping[str, str]) -> tuple[Hit, ...] | None:
        """The hits in `fields` (e.g. title, lead, body) if the query matches, else None."""
        return self.evaluate_document(Document(fields))

    def evaluate_document(self, document: Document) -> tuple[Hit, ...] | None:
        """Like `evaluate` on a document analysed once and shared by many queries."""
        if self._needs:
            words = document.words()
            if not all(not clause.isdisjoint(words) for clause in self._needs):
                return None
        spans = self._root.evaluate(document, document.names)
        if spans is None:
            return None
        return document.hits(
            sorted(
                {
                    (term.field, term.first, term.end, term.term or "")
                    for span in spans
                    for term in span.terms()
                },
                key=document.reading_order,
            )
        )


# ---------------------------------------------------------------------------------------------
# Parsing

_LEXEME = re.compile(
    r"""(?P<space>\s+)
      | (?P<open>\()
      | (?P<close>\))
      | (?P<at_least>>=)
      | (?P<scope>[A-Za-z]+:)
      | (?P<count>count(?=\())
      | (?P<phrase>=?"[^"]*")
      | (?P<word>=?[^\s()"]+)""",
    re.VERBOSE,
)
_NEAR = re.compile(r"NEAR/(\d+)")


class _Lexeme(NamedTuple):
    kind: str  # open, close, at_least, scope, count, phrase, word, AND, OR, NOT, NEAR, end
    text: str
    column: int


def _lex(text: str) -> list[_Lexeme]:
    lexemes: list[_Lexeme] = []
    position = 0
    while position < len(text):
        column = position + 1
        if text.startswith('"', position) or text.startswith('="', position):
            opening = text.index('"', position)
            if text.find('"', opening + 1) < 0:
                raise _error(column, 'unterminated phrase: add the closing "')
        found = _LEXEME.match(text, position)
        assert found is not None and found.lastgroup is not None  # `word` matches any other text
        kind, lexeme = found.lastgroup, found.group()
        position = found.end()
        if kind == "space":
            continue
        if kind == "word":
            if lexeme in ("AND", "OR", "NOT"):
                kind = lexeme
            elif lexeme.startswith("NEAR"):
                if not _NEAR.fullmatch(lexeme):
                    raise _error(column, f"{lexeme!r}: NEAR needs a distance in words, e.g. NEAR/5")
                kind = "NEAR"
        if kind == "scope":
            if lexeme[:-1] not in FIELDS:
                raise _error(column, f"unknown field {lexeme[:-1]!r}: use title:, lead: or body:")
            if text[position : position + 1].isspace():
                # `title: Rusia` would otherwise read as the words `title` and `Rusia`, unscoped.
                raise _error(
                    position + 1,
                    f"{lexeme!r} must be followed directly by a term, phrase or '(', e.g. {lexeme}Rusia",
                )
        lexemes.append(_Lexeme(kind, lexeme, column))
    lexemes.append(_Lexeme("end", "", len(text) + 1))
    return lexemes


def _error(column: int, problem: str) -> QuerySyntaxError:
    return QuerySyntaxError(f"column {column}: {problem}")


_OPERAND_STARTS = frozenset({"open", "scope", "count", "phrase", "word", "NOT"})


@dataclass(frozen=True, slots=True)
class _AliasTable:
    """Alias sets keyed by each member's folded words; a term equal to any member matches all."""

    groups: Mapping[tuple[str, ...], tuple[str, tuple[str, ...]]]

    @classmethod
    def of(cls, aliases: Mapping[str, Sequence[str]]) -> _AliasTable:
        groups: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
        for canonical, others in aliases.items():
            members = (canonical, *others)
            for member in members:
                key = tuple(token.form for token in tokens(member))
                if key:
                    groups.setdefault(key, (canonical, members))
        return cls(groups)


class _Parser:
    def __init__(self, text: str, aliases: _AliasTable) -> None:
        self.lexemes = _lex(text)
        self.index = 0
        self.aliases = aliases

    @property
    def current(self) -> _Lexeme:
        return self.lexemes[self.index]

    def advance(self) -> _Lexeme:
        lexeme = self.lexemes[self.index]
        self.index += 1
        return lexeme

    def parse(self) -> _Node:
        if self.current.kind == "end":
            raise _error(1, "the query is empty")
        root = self.parse_or()
        if self.current.kind in ("close", "at_least"):
            self.parse_primary()  # reports the stray lexeme
        if self.current.kind != "end":
            raise _error(self.current.column, f"unexpected {self.current.text!r}")
        if not root.requires_presence():
            raise _error(root.column, "the query only excludes (NOT): add a term it must contain")
        return root

    def parse_or(self) -> _Node:
        operands = [self.parse_and()]
        while self.current.kind == "OR":
            self.operand_after(self.advance())
            operands.append(self.parse_and())
        if len(operands) == 1:
            return operands[0]
        if all(operand.positional for operand in operands):
            return _AnyOf(tuple(operands), operands[0].column)
        return _Either(tuple(operands), operands[0].column)

    def parse_and(self) -> _Node:
        operands = [self.parse_not()]
        while self.current.kind == "AND" or self.current.kind in _OPERAND_STARTS:
            if self.current.kind == "AND":
                self.operand_after(self.advance())
            operands.append(self.parse_not())
        return operands[0] if len(operands) == 1 else _All(tuple(operands), operands[0].column)

    def parse_not(self) -> _Node:
        if self.current.kind == "NOT":
            operator = self.advance()
            self.operand_after(operator)
            return _Not(self.parse_not(), operator.column)
        return self.parse_near()

    def parse_near(self) -> _Node:
        left = self.parse_primary()
        while self.current.kind == "NEAR":
            operator = self.advance()
            self.operand_after(operator)
            right = self.parse_primary()
            for operand in (left, right):
                if not operand.positional:
                    raise _error(
                        operand.column, "NEAR joins terms and phrases (or OR-groups of them), nothing else"
                    )
            distance = int(operator.text.removeprefix("NEAR/"))
            left = _Near(left, right, distance, left.column)
        return left

    def parse_primary(self) -> _Node:
        lexeme = self.current
        if lexeme.kind in ("AND", "OR") or lexeme.kind == "NEAR":
            raise _error(lexeme.column, f"{lexeme.text!r} needs a term before it")
        if lexeme.kind == "close":
            raise _error(lexeme.column, "unmatched ')'")
        if lexeme.kind == "at_least":
            raise _error(lexeme.column, "'>=' only follows count(...), e.g. count(Rusia)>=3")
        self.advance()
        if lexeme.kind == "scope":
            self.operand_after(lexeme)
            return _Scoped(lexeme.text[:-1], self.parse_primary(), lexeme.column)
        if lexeme.kind == "count":
            return self.parse_count(lexeme)
        if lexeme.kind == "open":
            return self.parse_group(lexeme)
        return self.term(lexeme)

    def parse_group(self, opening: _Lexeme) -> _Node:
        if self.current.kind == "close":
            raise _error(opening.column, "empty parentheses")
        inner = self.parse_or()
        if self.current.kind != "close":
            raise _error(self.current.column, f"expected ')' to close the '(' at column {opening.column}")
        self.advance()
        return inner

    def parse_count(self, keyword: _Lexeme) -> _Node:
        operand = self.parse_group(self.advance())
        if not operand.positional:
            raise _error(keyword.column, "count(...) counts terms and phrases (or OR-groups of them)")
        if self.current.kind != "at_least":
            raise _error(self.current.column, "count(...) needs '>=' and a number, e.g. count(Rusia)>=3")
        self.advance()
        number = self.advance()
        if number.kind != "word" or not number.text.isdigit() or int(number.text) < 1:
            raise _error(number.column, "count(...)>= needs a whole number of at least 1")
        return _Count(operand, int(number.text), keyword.column)

    def operand_after(self, operator: _Lexeme) -> None:
        """Fail clearly when an operator is not followed by something it can apply to."""
        following = self.current
        if following.kind in _OPERAND_STARTS:
            return
        found = "the end of the query" if following.kind == "end" else repr(following.text)
        raise _error(
            following.column, f"expected a term, phrase or '(' after {operator.text!r}, found {found}"
        )

    def term(self, lexeme: _Lexeme) -> _Node:
        exact = lexeme.text.startswith("=")
        written = lexeme.text.removeprefix("=")
        if lexeme.kind == "phrase":
            written = written[1:-1]
        words = tuple(tokens(written))
        if lexeme.kind == "word" and not written:
            raise _error(lexeme.column, "'=' must be followed directly by a term or phrase")
        if not words:
            problem = "empty phrase" if lexeme.kind == "phrase" else f"{written!r} has no letters or digits"
            raise _error(lexeme.column, problem)
        group = self.aliases.groups.get(tuple(word.form for word in words))
        if group is None:
            return _phrase(written, written, exact, lexeme.column)
        canonical, members = group
        return _AnyOf(
            tuple(_phrase(canonical, member, exact, lexeme.column) for member in members), lexeme.column
        )


def _phrase(label: str, written: str, exact: bool, column: int) -> _Words:
    found = tokens(written)
    return _Words(label, tuple(_word(token, exact, alone=len(found) == 1) for token in found), column)


def _word(token: Token, exact: bool, *, alone: bool) -> _Word:
    """A name matches as written, with its clitics (`Malang`, not `Pemalang`); a capitalised
    Indonesian word only as written (`"Bank Pembangunan Daerah"`), and alone only where the story
    gives it a capital too (`Untung`); any other word by its root unless exact."""
    if is_name_term(token.written, token.form):
        return _Word(without_name_clitics(token.form), None, WordKind.NAME)
    if any(char.isupper() for char in token.written):
        return _Word(token.form, None, WordKind.CAPITALISED if alone else WordKind.WRITTEN)
    return _Word(token.form, None if exact else token.stem, WordKind.ORDINARY)


def parse_query(text: str, aliases: Mapping[str, Sequence[str]] | None = None) -> Query:
    """Parse a watch query, or raise `QuerySyntaxError("column N: problem")`."""
    return parse_with_aliases(text, _AliasTable.of(aliases or {}))


def parse_with_aliases(text: str, aliases: _AliasTable) -> Query:
    """`parse_query` with an alias table built once for many queries."""
    return Query(text, _Parser(text, aliases).parse())
