"""Intake into PostgreSQL: idempotency, pending users, voiding, instruments, mapping and recommendations."""

from __future__ import annotations

import copy
import uuid

import psycopg
import pytest
from psycopg.rows import dict_row

from skillforge import pii
from skillforge.pathways import publish_directory
from skillforge.xapi.instruments import Registry
from skillforge.xapi.intake import ingest
from skillforge.xapi.recommendations import InterestIndex
from skillforge.xapi.store import apply_pending, apply_pending_for_user, decrypt_statement
from tests.xapi.conftest import IP_SHA256, create_user
from tests.xapi.statements import interest_profiler, voiding

# Software Developers' O*NET 29.0 Interests (OI) profile: a learner with exactly this profile correlates 1.0.
DEVELOPER = {"R": 3.93, "I": 5.86, "A": 2.26, "S": 1.88, "E": 1.87, "C": 5.46}


def ip(**kwargs) -> dict:
    kwargs.setdefault("checksum", IP_SHA256)
    return interest_profiler(**kwargs)


def owner(url):
    return psycopg.connect(url, row_factory=dict_row, autocommit=True)


def statement_row(url, statement_id):
    with owner(url) as conn:
        return conn.execute(
            "SELECT * FROM xapi_statements WHERE statement_id = %s", (statement_id,)
        ).fetchone()


def assessment_row(url, statement_id):
    with owner(url) as conn:
        return conn.execute("SELECT * FROM assessments WHERE statement_id = %s", (statement_id,)).fetchone()


def count(url, table):
    with owner(url) as conn:
        return conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()["n"]


def test_known_learner_gets_an_assessment_with_recommendation_and_pathway(xapi_db, app_conn):
    from tests.pathways.test_publish import seed_occupation_codes  # noqa: F401  (codes already seeded)

    with owner(xapi_db) as conn:
        publish_directory(conn, changed_by="test")
        pathway_id = str(
            conn.execute(
                "SELECT id FROM learning_pathways WHERE pathway_key = 'software-developer-foundations'"
            ).fetchone()["id"]
        )
    user_id = create_user(xapi_db, email="Ada.Learner@Example.com")
    statement = ip(email="ada.learner@example.com", scores=DEVELOPER, job_zone=4)
    result = ingest(app_conn, [statement], channel="http")
    assert result.committed and [o.status for o in result.outcomes] == ["stored"]

    row = assessment_row(xapi_db, statement["id"])
    assert str(row["user_id"]) == user_id and row["status"] == "completed"
    assert row["assessment_type"] == "interest_profiler" and row["assessment_version"] == "2.0"
    assert row["scores"]["riasec"] == DEVELOPER and row["scores"]["interest_code"] == "ICR"
    assert row["scores"]["job_zone"] == 4 and row["scores"]["completion"] is True
    assert row["completed_at"].isoformat() == "2026-11-20T10:15:00+00:00"
    assert (row["completed_at"] - row["administered_at"]).total_seconds() == 12 * 60 + 30
    assert row["source"] == "xapi-http:ExampleAssess"
    assert row["recommended_onet_code"] == "15-1252.00"
    assert str(row["recommended_pathway_id"]) == pathway_id
    recs = row["recommendations"]
    assert recs[0]["onet_code"] == "15-1252.00" and recs[0]["correlation"] == pytest.approx(1.0)
    assert all(r["job_zone"] == 4 for r in recs)
    assert [r["correlation"] for r in recs] == sorted((r["correlation"] for r in recs), reverse=True)

    stored = statement_row(xapi_db, statement["id"])
    assert stored["status"] == "applied" and str(stored["user_id"]) == user_id
    assert b"ada.learner@example.com" not in bytes(stored["statement_ciphertext"])
    plain = decrypt_statement(bytes(stored["statement_ciphertext"]))
    assert plain["actor"] == statement["actor"] and plain["stored"].endswith("Z")


def test_same_id_same_content_is_a_no_op_and_different_content_conflicts(xapi_db, app_conn):
    statement = ip()
    assert ingest(app_conn, [statement], channel="http").outcomes[0].status == "pending_user"
    again = ingest(app_conn, [copy.deepcopy(statement)], channel="http")
    assert again.ok and again.outcomes[0].status == "duplicate"
    # LRS-set properties are not part of the comparison.
    assert (
        ingest(app_conn, [{**statement, "stored": "2030-01-01T00:00:00Z"}], channel="http").outcomes[0].status
        == "duplicate"
    )
    assert count(xapi_db, "xapi_statements") == 1 and count(xapi_db, "assessments") == 1

    changed = copy.deepcopy(statement)
    changed["result"]["duration"] = "PT20M"
    fresh = ip()
    result = ingest(app_conn, [fresh, changed], channel="http")
    assert not result.committed
    assert [o.status for o in result.outcomes] == ["not_stored", "conflict"]
    assert result.outcomes[1].errors[0]["rule"] == "statement.conflict"
    assert statement_row(xapi_db, fresh["id"]) is None  # all or nothing


def test_stored_form_gets_stored_and_a_default_version(xapi_db, app_conn):
    statement = ip()
    statement.pop("version", None)
    statement["stored"] = "2001-01-01T00:00:00Z"  # a client's value is replaced by the LRS's
    ingest(app_conn, [statement], channel="http")
    app_conn.commit()
    kept = decrypt_statement(bytes(statement_row(xapi_db, statement["id"])["statement_ciphertext"]))
    assert kept["version"] == "1.0.0" and kept["stored"] != "2001-01-01T00:00:00Z"
    assert {k: v for k, v in kept.items() if k not in ("stored", "version")} == {
        k: v for k, v in statement.items() if k != "stored"
    }


def test_statement_without_id_gets_one(xapi_db, app_conn):
    statement = ip()
    del statement["id"]
    result = ingest(app_conn, [statement], channel="http")
    (new_id,) = result.ids
    assert uuid.UUID(new_id).version == 4
    assert statement_row(xapi_db, new_id) is not None


def test_unknown_learner_is_pending_then_applied_when_the_user_arrives(xapi_db, app_conn):
    statement = ip(email="late@example.com")
    assert ingest(app_conn, [statement], channel="sqs", atomic=False).outcomes[0].status == "pending_user"
    row = assessment_row(xapi_db, statement["id"])
    assert row["user_id"] is None and row["status"] == "pending_user"
    assert row["recommended_onet_code"] is not None  # recommendation does not wait for the user

    app_conn.commit()

    # Creating the user is enough (trigger on users): no call from the code that creates users.
    user_id = create_user(xapi_db, email="Late@Example.com")
    row = assessment_row(xapi_db, statement["id"])
    assert str(row["user_id"]) == user_id and row["status"] == "completed"
    assert statement_row(xapi_db, statement["id"])["status"] == "applied"
    assert apply_pending_for_user(app_conn, user_id) == 0  # nothing left for the explicit repair path


def test_account_actor_resolves_within_the_partner_only(xapi_db, app_conn):
    account = ("https://lms.acme.example", "A-1001")
    other = create_user(xapi_db, email="x@other.example", partner_code="other-org", external_ref="A-1001")
    statement = ip(account=account)
    assert (
        ingest(app_conn, [statement], channel="sqs", partner_code="acme-careers", atomic=False)
        .outcomes[0]
        .status
        == "pending_user"
    )
    assert apply_pending(app_conn) == 0  # the other partner's A-1001 is someone else
    app_conn.commit()
    # Pending under the keyed blind index of the account name: no unkeyed digest of it is stored.
    pending = statement_row(xapi_db, statement["id"])
    assert "account_ref_sha256" not in pending
    assert bytes(pending["actor_hash"]) == pii.blind_index("A-1001", kind="external_ref")
    mine = create_user(
        xapi_db, email="a1001@acme.example", partner_code="acme-careers", external_ref="A-1001"
    )
    assert str(assessment_row(xapi_db, statement["id"])["user_id"]) == mine != other
    row = statement_row(xapi_db, statement["id"])
    assert row["status"] == "applied"
    assert apply_pending(app_conn) == 0


def test_pending_statements_follow_a_user_created_in_the_partner_scope(xapi_db, app_conn):
    """The application creates a partner's users with a partner-scoped connection: the trigger runs in that
    scope (it no longer switches itself to '*'), attaches the partner's own pending statements and assessments,
    and cannot touch another partner's."""
    from skillforge import pii
    from skillforge.db import connect

    mine, theirs = ip(email="new@acme.example"), ip(email="new@acme.example")
    ingest(app_conn, [mine], channel="sqs", partner_code="acme-careers", atomic=False)
    ingest(app_conn, [theirs], channel="sqs", partner_code="other-org", atomic=False)
    app_conn.commit()
    with connect(xapi_db, tenant="acme-careers") as partner:
        user_id = str(
            partner.execute(
                "INSERT INTO users (partner_code, email_ciphertext, email_hash, email) VALUES (%s, %s, %s, %s) "
                "RETURNING id",
                (
                    "acme-careers",
                    pii.encrypt("new@acme.example", key="pii_user", table="users", column="email"),
                    pii.blind_index("new@acme.example"),
                    "n***@a***.example",
                ),
            ).fetchone()["id"]
        )
        assert (
            partner.execute("SELECT current_setting('skillforge.tenant') AS t").fetchone()["t"]
            == "acme-careers"
        )
        partner.commit()
    assert str(assessment_row(xapi_db, mine["id"])["user_id"]) == user_id
    assert assessment_row(xapi_db, theirs["id"])["status"] == "pending_user"


def test_a_voided_pending_statement_is_linked_but_stays_voided(xapi_db, app_conn):
    statement = ip(email="void-first@example.com")
    ingest(app_conn, [statement], channel="http")
    ingest(app_conn, [voiding(statement["id"])], channel="http")
    app_conn.commit()
    user_id = create_user(xapi_db, email="void-first@example.com")
    row = statement_row(xapi_db, statement["id"])
    assert row["status"] == "voided" and str(row["user_id"]) == user_id
    assert assessment_row(xapi_db, statement["id"]) is None


def test_voiding_withdraws_the_assessment(xapi_db, app_conn):
    create_user(xapi_db, email="learner@example.com")
    target = ip()
    ingest(app_conn, [target], channel="http")
    void = voiding(target["id"])
    result = ingest(app_conn, [void], channel="http")
    assert result.outcomes[0].status == "stored"
    assert statement_row(xapi_db, target["id"])["status"] == "voided"
    assert str(statement_row(xapi_db, target["id"])["voided_by"]) == result.ids[0]
    assert assessment_row(xapi_db, target["id"])["status"] == "voided"

    again = ingest(app_conn, [voiding(result.ids[0])], channel="http")
    assert again.outcomes[0].errors[0]["rule"] == "voiding.target-is-voiding" and not again.committed


def test_target_arriving_after_its_voiding_statement_is_stored_voided(xapi_db, app_conn):
    target = ip()
    ingest(app_conn, [voiding(target["id"])], channel="sqs", atomic=False)
    result = ingest(app_conn, [target], channel="sqs", atomic=False)
    assert result.outcomes[0].status == "voided"
    assert statement_row(xapi_db, target["id"])["status"] == "voided"
    assert assessment_row(xapi_db, target["id"]) is None  # unknown learner: nothing to withdraw

    create_user(xapi_db, email="known@example.com")
    known = ip(email="known@example.com")
    ingest(app_conn, [voiding(known["id"])], channel="sqs", atomic=False)
    assert ingest(app_conn, [known], channel="sqs", atomic=False).outcomes[0].status == "voided"
    assert assessment_row(xapi_db, known["id"])["status"] == "voided"


def test_voiding_in_the_same_batch(xapi_db, app_conn):
    pending = ip(email="nobody-yet@example.com")
    ingest(app_conn, [pending], channel="http")
    assert assessment_row(xapi_db, pending["id"])["status"] == "pending_user"
    create_user(xapi_db, email="learner@example.com")
    target = ip()
    result = ingest(app_conn, [target, voiding(target["id"]), voiding(pending["id"])], channel="http")
    assert [o.status for o in result.outcomes] == ["voided", "stored", "stored"]
    assert assessment_row(xapi_db, target["id"])["status"] == "voided"
    assert assessment_row(xapi_db, pending["id"]) is None  # a pending assessment is withdrawn
    assert statement_row(xapi_db, pending["id"])["status"] == "voided"


@pytest.mark.parametrize(
    "kwargs, rule",
    [
        ({"checksum": "0" * 64}, "instrument.checksum-mismatch"),
        ({"instrument_version": "9.9"}, "instrument.version-unknown"),
        ({"checksum": None}, "instrument.checksum-missing"),
        ({"checksum": "abc"}, "instrument.checksum-format"),
    ],
)
def test_instrument_checks(xapi_db, app_conn, kwargs, rule):
    statement = interest_profiler(**{"checksum": IP_SHA256, **kwargs})
    result = ingest(app_conn, [statement], channel="http")
    assert not result.committed and result.outcomes[0].errors[0]["rule"] == rule
    assert result.outcomes[0].errors[0]["path"].startswith("$.context.extensions.")


def test_unknown_instrument_and_retired_version(xapi_db, app_conn):
    other = ip()
    other["object"]["id"] = "https://assessments.example.org/instruments/unknown"
    assert ingest(app_conn, [other], channel="http").outcomes[0].errors[0]["rule"] == "instrument.unknown"
    with owner(xapi_db) as conn:
        conn.execute("UPDATE assessment_instruments SET retired_at = now()")
    assert (
        ingest(app_conn, [ip()], channel="http").outcomes[0].errors[0]["rule"] == "instrument.version-retired"
    )


def test_sqs_mode_stores_the_valid_ones_and_reports_the_others(xapi_db, app_conn):
    good, bad_xapi, bad_instrument = ip(), ip(), ip(checksum="f" * 64)
    bad_xapi["timestamp"] = "2026-02-30T10:00:00Z"
    result = ingest(app_conn, [good, bad_xapi, bad_instrument], channel="sqs", atomic=False)
    assert result.committed
    assert [o.status for o in result.outcomes] == ["pending_user", "invalid", "invalid"]
    assert result.outcomes[1].errors == [
        {
            "path": "$.timestamp",
            "rule": "timestamp.calendar",
            "message": result.outcomes[1].errors[0]["message"],
        }
    ]
    assert count(xapi_db, "xapi_statements") == 1


def test_http_mode_is_all_or_nothing(xapi_db, app_conn):
    good, bad = ip(), ip()
    bad["actor"] = {"objectType": "Agent", "mbox": "learner@example.com"}
    result = ingest(app_conn, [good, bad], channel="http")
    assert not result.committed and [o.status for o in result.outcomes] == ["not_stored", "invalid"]
    assert count(xapi_db, "xapi_statements") == 0


def test_duplicate_id_within_a_batch(xapi_db, app_conn):
    a = ip()
    result = ingest(app_conn, [a, copy.deepcopy(a)], channel="sqs", atomic=False)
    assert [o.status for o in result.outcomes] == ["pending_user", "invalid"]
    assert result.outcomes[1].errors[0]["rule"] == "batch.duplicate-id"


def test_attachment_payloads(xapi_db, app_conn):
    statement = ip()
    statement["attachments"] = [
        {
            "usageType": "https://skillforge.example/xapi/attachments/score-report",
            "display": {"en-US": "report"},
            "contentType": "application/pdf",
            "length": 3,
            "sha2": "a" * 64,
        }
    ]
    result = ingest(app_conn, [statement], channel="http")
    assert result.outcomes[0].errors[0]["rule"] == "attachment.payload-missing"
    result = ingest(app_conn, [statement], channel="http", attachment_hashes={"a" * 64})
    assert result.committed


def test_group_actor_cannot_own_an_assessment(xapi_db, app_conn):
    statement = ip()
    statement["actor"] = {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}
    assert ingest(app_conn, [statement], channel="http").outcomes[0].errors[0]["rule"] == "assessment.actor"


def test_registry_and_index_can_be_reused_across_batches(xapi_db, app_conn):
    registry, index = Registry.load(app_conn), InterestIndex.load(app_conn)
    assert len(index) == 58
    result = ingest(
        app_conn, [ip(), ip()], channel="sqs", atomic=False, registry=registry, interest_index=index
    )
    assert result.committed and len(set(result.ids)) == 2


def test_cli_apply_pending(xapi_db, app_conn, monkeypatch):
    from typer.testing import CliRunner

    from skillforge.cli import app
    from skillforge.config import get_settings

    statement = ip(email="cli@example.com")
    ingest(app_conn, [statement], channel="sqs", atomic=False)
    app_conn.commit()
    # The repair path: a user loaded while the trigger was off (e.g. a bulk restore).
    with owner(xapi_db) as conn:
        conn.execute("ALTER TABLE users DISABLE TRIGGER users_attach_pending_xapi")
        try:
            create_user(xapi_db, email="cli@example.com")
        finally:
            conn.execute("ALTER TABLE users ENABLE TRIGGER users_attach_pending_xapi")
    assert assessment_row(xapi_db, statement["id"])["status"] == "pending_user"
    monkeypatch.setenv("DATABASE_URL", xapi_db)
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(app, ["xapi", "apply-pending", "--json"])
    finally:
        get_settings.cache_clear()
    assert out.exit_code == 0 and '"applied": 1' in out.stdout
    assert assessment_row(xapi_db, statement["id"])["status"] == "completed"


SKILLS_TEST = "https://assessments.example.org/instruments/skills-check"


def skills_statement(skills, **kwargs) -> dict:
    from skillforge.xapi.vocabulary import EXT_SKILLS

    statement = ip(**kwargs)
    statement["object"]["id"] = SKILLS_TEST
    statement["result"]["extensions"] = {EXT_SKILLS: skills}
    return statement


def register_skills_test(url):
    with owner(url) as conn:
        conn.execute(
            "INSERT INTO assessment_instruments (instrument_iri, version, sha256, assessment_type) "
            "VALUES (%s, '2.0', %s, 'skills_test')",
            (SKILLS_TEST, IP_SHA256),
        )


def test_skills_test_updates_the_match(xapi_db, app_conn):
    register_skills_test(xapi_db)
    with owner(xapi_db) as conn:
        publish_directory(conn, changed_by="test")
    calls = []

    def matcher(skills, job_zone, limit):
        calls.append((skills, job_zone, limit))
        return [
            {
                "onet_code": "47-2111.00",
                "title": "Electricians",
                "match_score": 81.5,
                "adjusted_score": 84.0,
                "gaps": [],
            }
        ]

    skills = [{"element_id": "2.B.3.m", "level": 4.5}, {"name": "Troubleshooting", "level": 4}]
    statement = skills_statement(skills)
    result = ingest(app_conn, [statement], channel="http", skills_matcher=matcher)
    assert result.committed and calls == [(skills, None, 10)]
    row = assessment_row(xapi_db, statement["id"])
    assert row["assessment_type"] == "skills_test" and row["scores"]["skills"] == skills
    assert row["recommended_onet_code"] == "47-2111.00" and row["recommended_pathway_id"] is not None
    assert row["recommendations"][0]["match_score"] == 81.5

    missing = skills_statement([])
    del missing["result"]["extensions"]
    assert (
        ingest(app_conn, [missing], channel="http").outcomes[0].errors[0]["rule"]
        == "assessment.skills-missing"
    )
    bad = skills_statement([{"name": "Welding", "level": 9}])
    assert ingest(app_conn, [bad], channel="http").outcomes[0].errors[0]["rule"] == "assessment.skills"


def test_skills_test_with_the_real_matching_over_the_imported_sample(fresh_db_url, kms_stack, monkeypatch):
    from skillforge.matching import matrix
    from skillforge.onet.importer import import_release
    from skillforge.reference import connection, releases
    from tests.xapi.conftest import SAMPLE

    assert import_release(SAMPLE, url=fresh_db_url).outcome == "published"
    register_skills_test(fresh_db_url)
    connection.configure(fresh_db_url)
    releases.clear_cache()
    matrix.clear_cache()
    try:
        from skillforge.db import connect

        with owner(fresh_db_url) as conn:
            element = conn.execute(
                "SELECT element_id FROM occupation_skills WHERE onet_code = '15-1252.00' "
                "ORDER BY importance DESC NULLS LAST LIMIT 3"
            ).fetchall()
        skills = [{"element_id": r["element_id"], "level": 5} for r in element]
        statement = skills_statement(skills)
        with connect(fresh_db_url, tenant="*") as conn:
            assert ingest(conn, [statement], channel="http").committed
            unknown = skills_statement([{"element_id": "9.Z.9.z", "level": 3}])
            assert ingest(conn, [unknown], channel="http").committed
        row = assessment_row(fresh_db_url, statement["id"])
        assert row["recommended_onet_code"] and len(row["recommendations"]) == 10
        scores = [r["match_score"] for r in row["recommendations"]]
        assert all(isinstance(s, (int, float)) for s in scores)
        note = assessment_row(fresh_db_url, unknown["id"])
        assert note["recommended_onet_code"] is None and note["scores"]["recommendation_note"]
    finally:
        connection.configure(None)
        releases.clear_cache()
        matrix.clear_cache()


def test_absurd_duration_is_rejected_not_a_crash(xapi_db, app_conn):
    statement = ip(duration="P99999999999Y")
    result = ingest(app_conn, [statement], channel="http")
    assert result.outcomes[0].errors[0]["rule"] == "assessment.duration-range"


def test_forget_pending_erases_statements_waiting_for_a_learner(xapi_db, app_conn):
    from skillforge.xapi.store import forget_pending

    mine, theirs = ip(email="erase.me@example.com"), ip(email="keep@example.com")
    ingest(app_conn, [mine, theirs], channel="http")
    assert forget_pending(app_conn, email="Erase.Me@example.com") == 1
    assert statement_row(xapi_db, mine["id"]) is None and assessment_row(xapi_db, mine["id"]) is None
    assert statement_row(xapi_db, theirs["id"]) is not None
    assert forget_pending(app_conn, email="erase.me@example.com", partner_code="acme-careers") == 0


@pytest.mark.parametrize("same_content", [True, False])
def test_concurrent_intake_of_the_same_id(xapi_db, app_conn, same_content):
    """B checks before A commits and inserts after: the unique key decides (duplicate or conflict)."""
    import threading

    from skillforge.db import connect

    statement = ip()
    other = statement if same_content else {**statement, "timestamp": "2026-11-22T10:00:00Z"}
    results = {}
    with connect(xapi_db, tenant="*") as first:
        with first.transaction():  # A's rows stay uncommitted until the block ends
            assert ingest(first, [statement], channel="http").outcomes[0].status == "pending_user"

            def second():
                with connect(xapi_db, tenant="*") as conn:
                    results["b"] = ingest(conn, [copy.deepcopy(other)], channel="http")

            thread = threading.Thread(target=second)
            thread.start()
            thread.join(timeout=1.0)
            assert thread.is_alive()  # B waits on A's uncommitted key
        thread.join(timeout=30)
    outcome = results["b"].outcomes[0]
    assert outcome.status == ("duplicate" if same_content else "conflict")
    assert count(xapi_db, "xapi_statements") == 1 and count(xapi_db, "assessments") == 1
