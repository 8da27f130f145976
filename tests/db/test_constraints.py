"""Every rule the schema states, proven with rows that must be rejected."""

import psycopg
import pytest

from tests.db.helpers import add_code, add_partner, add_user, fake_hash


def rejects(conn, sql, params=(), error=psycopg.errors.IntegrityError):
    with pytest.raises(error):
        with conn.transaction():
            conn.execute(sql, params)


def test_email_must_contain_at(db_conn):
    with pytest.raises(psycopg.errors.CheckViolation):
        with db_conn.transaction():
            add_user(db_conn, email="x@example.org", masked="masked-without-at")


def test_email_unique_among_non_deleted_users_only(db_conn):
    add_user(db_conn, email="a@example.org")
    with pytest.raises(psycopg.errors.UniqueViolation):
        with db_conn.transaction():
            add_user(db_conn, email="a@example.org")
    # A deleted user's address may be used again.
    db_conn.execute(
        "UPDATE users SET status = 'deleted', deleted_at = now() WHERE email_hash = %s",
        (fake_hash("a@example.org"),),
    )
    add_user(db_conn, email="a@example.org")


def test_user_enumerations_are_enforced(db_conn):
    with pytest.raises(psycopg.errors.InvalidTextRepresentation):
        with db_conn.transaction():
            add_user(db_conn, role="superhero")


def test_deleted_status_and_deleted_at_agree(db_conn):
    with pytest.raises(psycopg.errors.CheckViolation):
        with db_conn.transaction():
            add_user(db_conn, status="deleted")


def test_experience_end_not_before_start(db_conn):
    uid = add_user(db_conn)
    rejects(
        db_conn,
        "INSERT INTO experiences (user_id, title, start_date, end_date) "
        "VALUES (%s, 'Nurse', '2020-05-01', '2020-04-30')",
        (uid,),
    )
    db_conn.execute(
        "INSERT INTO experiences (user_id, title, start_date, end_date) "
        "VALUES (%s, 'Nurse', '2020-05-01', '2020-05-01')",
        (uid,),
    )


@pytest.mark.parametrize("level", [0, 6, -1])
def test_saved_role_interest_level_1_to_5(db_conn, level):
    uid, code = add_user(db_conn), add_code(db_conn)
    rejects(
        db_conn,
        "INSERT INTO saved_roles (user_id, onet_code, interest_level) VALUES (%s, %s, %s)",
        (uid, code, level),
    )


def test_saved_role_must_reference_a_known_occupation(db_conn):
    uid = add_user(db_conn)
    rejects(db_conn, "INSERT INTO saved_roles (user_id, onet_code) VALUES (%s, '99-9999.00')", (uid,))


def test_one_active_advisor_assignment_per_pair(db_conn):
    advisor, advisee = add_user(db_conn, role="advisor"), add_user(db_conn)
    db_conn.execute(
        "INSERT INTO advisor_assignments (advisor_id, advisee_id) VALUES (%s, %s)", (advisor, advisee)
    )
    rejects(
        db_conn,
        "INSERT INTO advisor_assignments (advisor_id, advisee_id) VALUES (%s, %s)",
        (advisor, advisee),
    )
    db_conn.execute(
        "UPDATE advisor_assignments SET status = 'ended', ended_at = now() WHERE advisor_id = %s", (advisor,)
    )
    db_conn.execute(
        "INSERT INTO advisor_assignments (advisor_id, advisee_id) VALUES (%s, %s)", (advisor, advisee)
    )


def test_advisor_cannot_advise_self(db_conn):
    uid = add_user(db_conn)
    rejects(db_conn, "INSERT INTO advisor_assignments (advisor_id, advisee_id) VALUES (%s, %s)", (uid, uid))


def test_learning_pathway_title_unique_per_target(db_conn):
    code = add_code(db_conn)
    sql = (
        "INSERT INTO learning_pathways (pathway_key, title, target_onet_code, steps, content_sha256) "
        "VALUES (%s, 'Become a developer', %s, '[{\"title\": \"x\"}]', repeat('a', 64))"
    )
    db_conn.execute(sql, ("dev-one", code))
    rejects(db_conn, sql, ("dev-two", code))


def test_user_delete_cascades_to_experiences_and_saved_roles(db_conn):
    uid, code = add_user(db_conn), add_code(db_conn)
    db_conn.execute(
        "INSERT INTO experiences (user_id, title, start_date) VALUES (%s, 'Cook', '2019-01-01')", (uid,)
    )
    db_conn.execute("INSERT INTO saved_roles (user_id, onet_code) VALUES (%s, %s)", (uid, code))
    db_conn.execute("DELETE FROM users WHERE id = %s", (uid,))
    assert (
        db_conn.execute("SELECT count(*) AS n FROM experiences WHERE user_id = %s", (uid,)).fetchone()["n"]
        == 0
    )
    assert (
        db_conn.execute("SELECT count(*) AS n FROM saved_roles WHERE user_id = %s", (uid,)).fetchone()["n"]
        == 0
    )


def test_partner_with_users_cannot_be_deleted(db_conn):
    add_partner(db_conn, "acme")
    add_user(db_conn, partner="acme")
    rejects(db_conn, "DELETE FROM partner_tenancy WHERE partner_code = 'acme'")


def test_occupation_code_in_use_cannot_be_removed(db_conn):
    uid, code = add_user(db_conn), add_code(db_conn)
    db_conn.execute("INSERT INTO saved_roles (user_id, onet_code) VALUES (%s, %s)", (uid, code))
    rejects(db_conn, "DELETE FROM occupation_codes WHERE onet_code = %s", (code,))


def test_experience_occupation_set_null_when_code_removed(db_conn):
    uid, code = add_user(db_conn), add_code(db_conn, "11-1011.00", "Chief Executives")
    db_conn.execute(
        "INSERT INTO experiences (user_id, title, start_date, onet_code) "
        "VALUES (%s, 'CEO', '2019-01-01', %s)",
        (uid, code),
    )
    db_conn.execute("DELETE FROM occupation_codes WHERE onet_code = %s", (code,))
    assert (
        db_conn.execute("SELECT onet_code FROM experiences WHERE user_id = %s", (uid,)).fetchone()[
            "onet_code"
        ]
        is None
    )


@pytest.mark.parametrize("code", ["Acme", "a", "direct", "acme_corp"])
def test_partner_code_format(db_conn, code):
    rejects(db_conn, "INSERT INTO partner_tenancy (partner_code, name) VALUES (%s, 'X')", (code,))


def test_assessment_completed_not_before_administered(db_conn):
    uid = add_user(db_conn)
    rejects(
        db_conn,
        "INSERT INTO assessments (user_id, assessment_type, assessment_version, administered_at, "
        "completed_at, source) VALUES (%s, 'interest_profiler', '1', '2024-01-02', '2024-01-01', 't')",
        (uid,),
    )


def test_one_current_release_at_most(db_conn):
    if not db_conn.execute("SELECT 1 FROM onet_releases WHERE status = 'current'").fetchone():
        db_conn.execute(
            "INSERT INTO onet_releases (release, schema_name, source, fingerprint, status) "
            "VALUES ('28.0', 'onet_r28_0', 't', 'a', 'current')"
        )
    rejects(
        db_conn,
        "INSERT INTO onet_releases (release, schema_name, source, fingerprint, status) "
        "VALUES ('28.1', 'onet_r28_1', 't', 'b', 'current')",
    )


def test_notification_channel_enumeration(db_conn):
    uid = add_user(db_conn)
    rejects(
        db_conn,
        "INSERT INTO notifications (user_id, notification_type, channel) VALUES (%s, 'role.saved', 'fax')",
        (uid,),
        error=psycopg.errors.InvalidTextRepresentation,
    )
