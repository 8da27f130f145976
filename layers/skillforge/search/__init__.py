"""Search over the reference layer: occupations by title (with typos, abbreviations, colloquial titles) and
free-text skill normalisation. PostgreSQL only: pg_trgm, full text and unaccent (docs/search-relevance.md)."""

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def clean_text(text: str) -> str:
    """What people type, as PostgreSQL can take it: control characters (NUL included) become spaces and
    whitespace collapses."""
    return " ".join(_CONTROL.sub(" ", text).split())
