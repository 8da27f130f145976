"""Matching a person's skills to occupations, gap analysis and transferable skills (docs/matching.md)."""
