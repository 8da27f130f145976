"""Row-level security: a connection scoped to partner A can neither read nor write partner B's rows."""

import psycopg
import pytest

from skillforge.db import connect
from tests.db.helpers import add_partner, add_user


@pytest.fixture
def two_tenants(fresh_db_url):
    # Seeded by the owner (a superuser here, which bypasses RLS) – the app role never is.
    with psycopg.connect(fresh_db_url) as conn:
        conn.row_factory = psycopg.rows.dict_row
        add_partner(conn, "alpha")
        add_partner(conn, "beta")
        a = add_user(conn, email="ann@alpha.org", partner="alpha")
        a2 = add_user(conn, email="al@alpha.org", partner="alpha", role="advisor")
        b = add_user(conn, email="bob@beta.org", partner="beta")
        d = add_user(conn, email="dee@direct.org")
        for uid in (a, b):
            conn.execute(
                "INSERT INTO experiences (user_id, title, start_date) VALUES (%s, 'Job', '2020-01-01')",
                (uid,),
            )
            conn.execute(
                "INSERT INTO notifications (user_id, notification_type) VALUES (%s, 'welcome')", (uid,)
            )
            conn.execute(
                "INSERT INTO assessments (user_id, assessment_type, assessment_version, administered_at, source)"
                " VALUES (%s, 'interest_profiler', '1', now(), 'test')",
                (uid,),
            )
        conn.execute(
            "INSERT INTO advisor_assignments (advisor_id, advisee_id, partner_code) VALUES (%s, %s, 'alpha')",
            (a2, a),
        )
    return {"url": fresh_db_url, "alpha": a, "alpha_advisor": a2, "beta": b, "direct": d}


def count(conn, table):
    return conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()["n"]


@pytest.mark.parametrize(
    "table", ["users", "experiences", "assessments", "notifications", "advisor_assignments"]
)
def test_partner_sees_only_its_rows(two_tenants, table):
    with connect(two_tenants["url"], tenant="alpha") as conn:
        alpha = count(conn, table)
    with connect(two_tenants["url"], tenant="beta") as conn:
        beta = count(conn, table)
    with connect(two_tenants["url"], tenant="*") as conn:
        everyone = count(conn, table)
    assert alpha > 0
    assert alpha + beta <= everyone
    with connect(two_tenants["url"], tenant="alpha") as conn:
        assert (
            conn.execute("SELECT count(*) AS n FROM users WHERE id = %s", (two_tenants["beta"],)).fetchone()[
                "n"
            ]
            == 0
        )


def test_unscoped_connection_sees_nothing(two_tenants):
    with connect(two_tenants["url"]) as conn:
        assert count(conn, "users") == 0
        assert count(conn, "experiences") == 0


def test_direct_scope_sees_only_users_without_partner(two_tenants):
    with connect(two_tenants["url"], tenant="direct") as conn:
        ids = {r["id"] for r in conn.execute("SELECT id FROM users")}
    assert ids == {two_tenants["direct"]}


def test_cannot_insert_user_into_other_tenant(two_tenants):
    with connect(two_tenants["url"], tenant="alpha") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO users (partner_code, email_ciphertext, email_hash, email) "
                "VALUES ('beta', 'x', decode(repeat('ab', 32), 'hex'), 'x***@b***.org')"
            )


def test_cannot_move_own_user_to_other_tenant(two_tenants):
    with connect(two_tenants["url"], tenant="alpha") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE users SET partner_code = 'beta' WHERE id = %s", (two_tenants["alpha"],))


def test_cannot_update_or_delete_other_tenant_rows(two_tenants):
    with connect(two_tenants["url"], tenant="alpha") as conn:
        assert (
            conn.execute("UPDATE users SET timezone = 'UTC' WHERE id = %s", (two_tenants["beta"],)).rowcount
            == 0
        )
        assert (
            conn.execute("DELETE FROM experiences WHERE user_id = %s", (two_tenants["beta"],)).rowcount == 0
        )
        conn.commit()
    with connect(two_tenants["url"], tenant="*") as conn:
        assert (
            conn.execute(
                "SELECT count(*) AS n FROM experiences WHERE user_id = %s", (two_tenants["beta"],)
            ).fetchone()["n"]
            == 1
        )


def test_cannot_write_child_rows_for_other_tenant_user(two_tenants):
    with connect(two_tenants["url"], tenant="alpha") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO experiences (user_id, title, start_date) VALUES (%s, 'Spy', '2021-01-01')",
                (two_tenants["beta"],),
            )


def test_cannot_assign_advisor_across_tenants(two_tenants):
    with connect(two_tenants["url"], tenant="alpha") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO advisor_assignments (advisor_id, advisee_id, partner_code) VALUES (%s, %s, 'alpha')",
                (two_tenants["alpha_advisor"], two_tenants["beta"]),
            )


def test_tenant_value_is_validated():
    from skillforge.db.connection import validate_tenant

    for bad in ("", "ALPHA", "alpha'; drop table users;--", "a"):
        with pytest.raises(ValueError):
            validate_tenant(bad)
