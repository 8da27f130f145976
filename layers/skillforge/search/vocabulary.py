"""Spelling correction for occupation search: the distinct words of a release's titles, kept in memory.

A query word that no title uses ("sofware", "registred", "phramacist") is replaced by the closest title word
(Damerau-Levenshtein distance 1, or 2 for words of 7 letters or more; ties go to the word more titles use),
so the search can take its fast full-text path instead of a trigram scan of every title that shares a
trigram with the typo. Lookup is a symmetric-delete index (as SymSpell): every title word is stored under
itself and each of its one-letter deletions; a query word looks up itself and its deletions up to the
distance allowed, and each hit is confirmed with the true distance. Storing only one-letter deletions of
the title words keeps the first build cheap (and it is built per word length, when first needed); the two
edits that lookup cannot see (two letters dropped, a drop and a substitution, two substitutions) are found
by a second, wider lookup from every single edit of the word, only when the first found nothing closer
than two edits.

Built once per process and release from one query (the title words never change within a release), like
the matching matrix.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter, defaultdict

from skillforge.reference.connection import fetch_one
from skillforge.reference.release_cache import LatestReleaseCache
from skillforge.reference.releases import Release

MIN_CORRECTED_LENGTH = 4  # shorter words are abbreviations ("rn", "cpa", "cop") or too ambiguous to correct
MAX_CORRECTED_WORDS = 4  # per query (each costs 0.1-3 ms)
TWO_EDITS_FROM = 7  # words this long may be two edits away ("softwre" is one, "registred nurce" one each)

_WORD = re.compile(r"[^\W_]+")
# Everything but letters and digits becomes a space (str.translate is several times faster than a regex on
# the ~1.5 MB of a release's titles).
_SEPARATORS = {i: " " for i in range(128) if not chr(i).isalnum()}
_SEPARATORS |= {ord(c): " " for c in "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0"}


def normalize(text: str) -> str:
    """The query as `sf_normalize` sees titles: lower case, accents removed, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap neighbours); limit + 1 once it is
    certainly above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, before[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _edits(word: str) -> set[str]:
    """Every string one insertion, substitution or swap of neighbours away (deletions come separately)."""
    letters = string.ascii_lowercase
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return (
        {a + c + b for a, b in splits for c in letters}
        | {a + c + b[1:] for a, b in splits if b for c in letters}
        | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    )


def _singular(word: str) -> str:
    return word.removesuffix("s")  # "engine" and "engines" are one alternative, not two


class TitleVocabulary:
    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts  # word -> number of occurrences in the titles (ties go to the more used word)
        self._by_length: dict[int, list[str]] | None = None
        self._deletions: dict[int, dict[str, list[str]]] = {}

    def _deleted_from(self, length: int) -> dict[str, list[str]]:
        """Title words of one length under each of their one-letter deletions. Built per length at the first
        unknown word that needs it (most queries have none; a word needs two or three lengths, ~5-15 ms
        each on a full release, against ~50 ms for the whole index)."""
        index = self._deletions.get(length)
        if index is None:
            if self._by_length is None:
                by_length: defaultdict[int, list[str]] = defaultdict(list)
                for word in self.counts:
                    by_length[len(word)].append(word)
                self._by_length = dict(by_length)
            built: defaultdict[str, list[str]] = defaultdict(list)
            for word in self._by_length.get(length, ()):
                for deleted in _deletions(word):
                    built[deleted].append(word)
            index = self._deletions[length] = dict(built)
        return index

    def knows(self, word: str) -> bool:
        """In a title as it is, or as its plural or singular (full text stems these alike)."""
        counts = self.counts
        return (
            word in counts
            or word + "s" in counts
            or word + "es" in counts
            or (word.endswith("s") and word[:-1] in counts)
            or (word.endswith("es") and word[:-2] in counts)
        )

    def unknown(self, word: str) -> bool:
        """A word worth correcting: long enough, letters (ASCII after normalising) and in no title."""
        return (
            len(word) >= MIN_CORRECTED_LENGTH
            and word.isascii()
            and not word.isdigit()
            and not self.knows(word)
        )

    def suggestions(self, word: str) -> list[tuple[int, str]]:
        """Title words within the allowed distance of an unknown word, closest and most used first."""
        if not self.unknown(word):
            return []
        limit = 2 if len(word) >= TWO_EDITS_FROM else 1
        probes, frontier = {word}, {word}
        for _ in range(limit):
            frontier = {d for w in frontier if len(w) > 1 for d in _deletions(w)}
            probes |= frontier
        found = self._confirmed(word, probes, limit)
        if limit == 2 and (not found or found[0][0] == 2):
            # Deletions on both sides miss two edits that each need a letter the query lacks or changed
            # ("devlopr", "enjineir"): one edit of any kind first, then the same lookup (~5,000 probes).
            probes = {d for edited in _edits(word) for d in _deletions(edited) | {edited}}
            found = self._confirmed(word, probes, limit)
        return found

    def _confirmed(self, word: str, probes: set[str], limit: int) -> list[tuple[int, str]]:
        candidates: set[str] = set()
        for probe in probes:
            if probe in self.counts:
                candidates.add(probe)
            candidates.update(self._deleted_from(len(probe) + 1).get(probe, ()))
        scored = []
        for candidate in candidates:
            d = distance(word, candidate, limit)
            if d <= limit:
                scored.append((d, candidate))
        scored.sort(key=lambda dc: (dc[0], -self.counts.get(dc[1], 0), dc[1]))
        return scored

    def corrections(self, text: str, alternatives: int = 2) -> tuple[list[str], bool]:
        """The normalised text with each unknown word replaced by its best suggestion, then (for words with
        equally close suggestions, such as "electrican": electrical, electrician) up to `alternatives`
        variants with another of them; empty when nothing was corrected. The flag says whether every
        unknown word found a suggestion."""
        normalized = normalize(text)
        parts = _WORD.split(normalized)
        words = _WORD.findall(normalized)
        complete, chosen, ties = True, list(words), []
        attempts = 0
        for i, word in enumerate(words):
            if not self.unknown(word):
                continue
            attempts += 1
            # A long run of unknown words is not a typo; it goes to the trigram path uncorrected.
            found = self.suggestions(word) if attempts <= MAX_CORRECTED_WORDS else []
            if found:
                chosen[i] = found[0][1]
                stems = {_singular(found[0][1])}
                for d, other in found[1:]:
                    if d == found[0][0] and _singular(other) not in stems and len(stems) <= alternatives:
                        stems.add(_singular(other))
                        ties.append((i, other))
            else:
                complete = False
        if chosen == words:
            return [], complete

        def join(chosen_words: list[str]) -> str:
            return "".join(
                p + (chosen_words[i] if i < len(chosen_words) else "") for i, p in enumerate(parts)
            )

        variants = [join(chosen)]
        for i, word in ties[:alternatives]:
            variants.append(join(chosen[:i] + [word] + chosen[i + 1 :]))
        return variants, complete


def build_vocabulary(release: Release, extra_words: tuple[str, ...] = ()) -> TitleVocabulary:
    """One round trip: every normalised title as one string, split here (cheaper than splitting in SQL;
    about 30 ms for a full release)."""
    row = fetch_one(f"SELECT string_agg(normalized, ' ') AS text FROM {release.table('occupation_titles')}")
    counts = Counter(((row or {}).get("text") or "").translate(_SEPARATORS).split())
    for word in extra_words:
        counts.setdefault(word, 1)
    return TitleVocabulary(dict(counts))


_cache: LatestReleaseCache[TitleVocabulary] = LatestReleaseCache()


def vocabulary_for(release: Release, extra_words: tuple[str, ...] = ()) -> TitleVocabulary:
    key = (release.release, release.schema, release.fingerprint)
    return _cache.get(key, lambda: build_vocabulary(release, extra_words))


def clear_cache() -> None:
    _cache.clear()
