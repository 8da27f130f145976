import pytest

from skillforge import pii


def test_round_trip_and_ciphertext_is_not_plaintext(kms_stack):
    ct = pii.encrypt("ann@example.org", key="pii_user", table="users", column="email")
    assert b"ann@example.org" not in ct
    assert pii.decrypt(ct, key="pii_user", table="users", column="email") == "ann@example.org"


def test_ciphertext_bound_to_its_column(kms_stack):
    ct = pii.encrypt("Ann", key="pii_user", table="users", column="given_name")
    with pytest.raises(ValueError, match="users.given_name"):
        pii.decrypt(ct, key="pii_user", table="users", column="family_name")


def test_unknown_key_rejected(kms_stack):
    with pytest.raises(ValueError, match="unknown PII key"):
        pii.encrypt("x", key="data", table="users", column="email")


def test_blind_index_normalises_and_separates_kinds():
    assert pii.blind_index(" Ann@Example.org ") == pii.blind_index("ann@example.org")
    assert pii.blind_index("ann@example.org") != pii.blind_index("bob@example.org")
    assert len(pii.blind_index("ann@example.org")) == 32
    assert pii.blind_index("123", kind="phone") != pii.blind_index("123", kind="email")


@pytest.mark.parametrize("email,masked", [("ann@example.org", "a***@e***.org"), ("x@y", "x***@y***")])
def test_mask_email_never_reveals_the_address(email, masked):
    assert pii.mask_email(email) == masked
    assert "@" in pii.mask_email(email)
