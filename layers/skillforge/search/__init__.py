"""Search over the reference layer: occupations by title (with typos, abbreviations, colloquial titles) and
free-text skill normalisation. PostgreSQL only: pg_trgm, full text and unaccent (docs/search-relevance.md)."""
