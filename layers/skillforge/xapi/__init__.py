"""xAPI 1.0.3 intake: strict statement validation, instruments, mapping to assessments, recommendations."""

from skillforge.xapi.validator import VOIDED_VERB, validate_statement, validate_statements

__all__ = ["VOIDED_VERB", "validate_statement", "validate_statements"]
