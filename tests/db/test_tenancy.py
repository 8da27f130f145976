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


# -- the all-tenants scope is a role, not a setting (migration 0005) ----------------------------------
def _app_connection(url):
    """The request path's role, trying to widen its own scope the way a handler bug (or SQL injection) would."""
    conn = connect(url, tenant="alpha")
    conn.execute("SELECT set_config('skillforge.tenant', '*', false)")
    return conn


@pytest.mark.parametrize(
    "table",
    ["users", "experiences", "assessments", "notifications", "advisor_assignments", "partner_tenancy"],
)
def test_app_role_setting_all_tenants_itself_sees_nothing(two_tenants, table):
    with _app_connection(two_tenants["url"]) as conn:
        assert conn.execute("SELECT current_user AS u").fetchone()["u"] == "skillforge_app"
        assert count(conn, table) == 0


def test_app_role_setting_all_tenants_itself_cannot_write(two_tenants):
    with _app_connection(two_tenants["url"]) as conn:
        assert conn.execute("UPDATE users SET timezone = 'UTC'").rowcount == 0
        assert conn.execute("DELETE FROM experiences").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "INSERT INTO users (partner_code, email_ciphertext, email_hash, email) "
                "VALUES ('beta', 'x', decode(repeat('ab', 32), 'hex'), 'x***@b***.org')"
            )


@pytest.fixture
def app_login_url(two_tenants):
    from tests.conftest import login_url

    return login_url(two_tenants["url"], "skillforge_app")


def test_app_login_cannot_become_the_platform_role(app_login_url):
    with psycopg.connect(app_login_url) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SET ROLE skillforge_platform")


def test_platform_role_sees_every_tenant(two_tenants):
    with connect(two_tenants["url"], tenant="*") as conn:
        assert conn.execute("SELECT current_user AS u").fetchone()["u"] == "skillforge_platform"
        ids = {r["id"] for r in conn.execute("SELECT id FROM users")}
        partners = {r["partner_code"] for r in conn.execute("SELECT partner_code FROM partner_tenancy")}
    assert {two_tenants["alpha"], two_tenants["beta"], two_tenants["direct"]} <= ids
    assert partners == {"alpha", "beta"}


def test_partner_cannot_touch_another_partner_row(two_tenants):
    with connect(two_tenants["url"], tenant="alpha") as conn:
        assert [r["partner_code"] for r in conn.execute("SELECT partner_code FROM partner_tenancy")] == [
            "alpha"
        ]
        assert (
            conn.execute("UPDATE partner_tenancy SET name = 'Pwned' WHERE partner_code = 'beta'").rowcount
            == 0
        )
        assert (
            conn.execute(
                "UPDATE partner_tenancy SET name = 'Alpha Careers' WHERE partner_code = 'alpha'"
            ).rowcount
            == 1
        )
        conn.commit()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE partner_tenancy SET partner_code = 'beta' WHERE partner_code = 'alpha'")
        conn.rollback()
    with connect(two_tenants["url"], tenant="*") as conn:
        names = {
            r["partner_code"]: r["name"]
            for r in conn.execute("SELECT partner_code, name FROM partner_tenancy")
        }
    assert names == {"alpha": "Alpha Careers", "beta": "Beta"}


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO partner_tenancy (partner_code, name) VALUES ('gamma', 'Gamma')",
        "DELETE FROM partner_tenancy WHERE partner_code = 'alpha'",
        "UPDATE partner_tenancy SET status = 'active' WHERE partner_code = 'alpha'",
        "UPDATE partner_tenancy SET offboarded_at = NULL WHERE partner_code = 'alpha'",
        "UPDATE partner_tenancy SET data_retention_days = 3650 WHERE partner_code = 'alpha'",
    ],
)
def test_partner_scope_cannot_create_remove_or_reactivate_partners(two_tenants, statement):
    with connect(two_tenants["url"], tenant="alpha") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_platform_role_manages_partners(two_tenants):
    with connect(two_tenants["url"], tenant="*") as conn:
        conn.execute("INSERT INTO partner_tenancy (partner_code, name) VALUES ('gamma', 'Gamma')")
        assert (
            conn.execute(
                "UPDATE partner_tenancy SET status = 'suspended' WHERE partner_code = 'gamma'"
            ).rowcount
            == 1
        )
        assert conn.execute("DELETE FROM partner_tenancy WHERE partner_code = 'gamma'").rowcount == 1


def test_serving_as_a_superuser_session_is_refused_outside_local_mode(two_tenants, monkeypatch):
    """The test server's user is a superuser (it skips row-level security); only explicit local mode may use it."""
    from skillforge.config import get_settings
    from skillforge.db.connection import UnsafeDatabaseRole

    for env in ("dev", "prod"):
        monkeypatch.setenv("SKILLFORGE_ENV", env)
        get_settings.cache_clear()
        for tenant in ("alpha", "*", None):
            with pytest.raises(UnsafeDatabaseRole, match="superuser or has BYPASSRLS"):
                connect(two_tenants["url"], tenant=tenant)


def test_a_bypassrls_application_role_is_refused_even_locally(two_tenants, monkeypatch):
    from skillforge.config import get_settings
    from skillforge.db.connection import UnsafeDatabaseRole

    with psycopg.connect(two_tenants["url"], autocommit=True) as owner:
        owner.execute("DROP ROLE IF EXISTS sf_test_bypass")
        owner.execute("CREATE ROLE sf_test_bypass NOLOGIN BYPASSRLS")
        try:
            monkeypatch.setenv("SKILLFORGE_DB_APP_ROLE", "sf_test_bypass")
            get_settings.cache_clear()
            with pytest.raises(UnsafeDatabaseRole, match="application role"):
                connect(two_tenants["url"], tenant="alpha")
        finally:
            owner.execute("DROP ROLE sf_test_bypass")


def test_a_login_as_the_application_role_itself_is_served(app_login_url, monkeypatch):
    from skillforge.config import get_settings

    monkeypatch.setenv("SKILLFORGE_ENV", "prod")
    get_settings.cache_clear()
    with connect(app_login_url, tenant="alpha") as conn:
        assert conn.execute("SELECT session_user AS u").fetchone()["u"] == "skillforge_app"
        assert count(conn, "users") == 2
