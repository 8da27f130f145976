"""Intake runs in the provider's own tenant, and every write names it: attacks on that boundary."""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row

from skillforge import pii
from skillforge.db import connect
from skillforge.xapi import intake
from skillforge.xapi.intake import ingest
from tests.xapi.conftest import IP_SHA256, create_user
from tests.xapi.statements import interest_profiler, voiding


def ip(**kwargs) -> dict:
    return interest_profiler(checksum=IP_SHA256, **kwargs)


def row(url, statement_id):
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT * FROM xapi_statements WHERE statement_id = %s", (statement_id,)
        ).fetchone()


def test_intake_service_connects_in_the_callers_tenant(db_env, monkeypatch):
    """run_intake opens its connection scoped to the provider, not to every tenant."""
    from skillforge.xapi import service

    seen = []
    real_ingest = service.ingest

    def spy(conn, *args, **kwargs):
        seen.append(
            conn.execute(
                "SELECT current_user AS role, current_setting('skillforge.tenant') AS tenant"
            ).fetchone()
        )
        return real_ingest(conn, *args, **kwargs)

    monkeypatch.setattr(service, "ingest", spy)
    service.run_intake([ip()], channel="http", partner_code="acme-careers", atomic=True)
    service.run_intake([ip()], channel="http", partner_code=None, atomic=True)
    assert seen == [
        {"role": "skillforge_app", "tenant": "acme-careers"},
        {"role": "skillforge_app", "tenant": "direct"},
    ]


def test_a_raced_void_never_reaches_another_tenants_statement(xapi_db, monkeypatch):
    """The race the tenant check cannot see: the target is stored by another tenant after the check ran.
    Simulated by skipping the check; the writes themselves must still leave the other tenant's rows alone,
    even on an all-tenants connection."""
    target = ip(email="victim@other.example")
    with connect(xapi_db, tenant="other-org") as conn:
        assert (
            ingest(conn, [target], channel="sqs", partner_code="other-org").outcomes[0].status
            == "pending_user"
        )
    monkeypatch.setattr(intake, "_check_voiding_targets", lambda conn, new, outcomes, partner_code: new)
    with connect(xapi_db, tenant="*") as platform:
        outcome = ingest(
            platform, [voiding(target["id"])], channel="sqs", partner_code="acme-careers"
        ).outcomes[0]
    assert outcome.status == "stored"
    assert row(xapi_db, target["id"])["status"] == "pending_user"
    with psycopg.connect(xapi_db, row_factory=dict_row) as conn:
        assessment = conn.execute(
            "SELECT status FROM assessments WHERE statement_id = %s", (target["id"],)
        ).fetchone()
    assert assessment["status"] == "pending_user"  # not withdrawn (or deleted) by the other tenant's void


def test_voiding_another_tenants_statement_from_the_tenant_scope_is_refused(xapi_db):
    target = ip(email="victim@other.example")
    with connect(xapi_db, tenant="other-org") as conn:
        ingest(conn, [target], channel="sqs", partner_code="other-org")
    with connect(xapi_db, tenant="acme-careers") as conn:
        outcome = ingest(conn, [voiding(target["id"])], channel="http", partner_code="acme-careers").outcomes[
            0
        ]
    assert outcome.status == "invalid" and outcome.errors[0]["rule"] == "voiding.forbidden"
    assert row(xapi_db, target["id"])["status"] == "pending_user"


def test_another_tenants_statement_id_is_a_conflict_never_a_duplicate(xapi_db):
    """Ids are global; the same statement sent by a second tenant must not be reported as already stored by
    it (that would confirm another tenant's content)."""
    statement = ip(email="same@example.org")
    with connect(xapi_db, tenant="other-org") as conn:
        assert ingest(conn, [statement], channel="sqs", partner_code="other-org").outcomes[0].ok
    with connect(xapi_db, tenant="acme-careers") as conn:
        outcome = ingest(
            conn, [statement], channel="sqs", partner_code="acme-careers", atomic=False
        ).outcomes[0]
    assert outcome.status == "conflict"
    assert row(xapi_db, statement["id"])["partner_code"] == "other-org"


def test_pending_statements_are_invisible_to_other_tenants(xapi_db):
    statement = ip(email="quiet@acme.example")
    with connect(xapi_db, tenant="acme-careers") as conn:
        ingest(conn, [statement], channel="sqs", partner_code="acme-careers")
        assert conn.execute("SELECT count(*) AS n FROM assessments").fetchone()["n"] == 1
    with connect(xapi_db, tenant="other-org") as conn:
        assert conn.execute("SELECT count(*) AS n FROM xapi_statements").fetchone()["n"] == 0
        assert conn.execute("SELECT count(*) AS n FROM assessments").fetchone()["n"] == 0


@pytest.mark.parametrize("scope", ["acme-careers", "*"])
def test_account_actors_match_by_the_keyed_blind_index_only(xapi_db, scope):
    """A user whose external_ref equals the account name but whose hash was made with another key (or the
    unkeyed SHA-256 the old schema stored) is not the learner: only the keyed blind index matches."""
    import hashlib

    with psycopg.connect(xapi_db, autocommit=True) as owner:
        owner.execute(
            "INSERT INTO users (partner_code, external_ref, external_ref_hash, email_ciphertext, email_hash, email) "
            "VALUES ('acme-careers', 'A-77', %s, 'x', %s, 'a***@a***.example')",
            (hashlib.sha256(b"A-77").digest(), pii.blind_index("a77@acme.example")),
        )
    statement = ip(account=("https://lms.acme.example", "A-77"))
    with connect(xapi_db, tenant=scope) as conn:
        assert (
            ingest(conn, [statement], channel="sqs", partner_code="acme-careers").outcomes[0].status
            == "pending_user"
        )
    user = create_user(xapi_db, email="b77@acme.example", partner_code="acme-careers", external_ref="B-77")
    with connect(xapi_db, tenant=scope) as conn:
        second = ip(account=("https://lms.acme.example", "B-77"))
        assert (
            ingest(conn, [second], channel="sqs", partner_code="acme-careers").outcomes[0].status == "stored"
        )
    assert str(row(xapi_db, second["id"])["user_id"]) == user
