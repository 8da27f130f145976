"""Core: extensions, the application role, helper functions, release registry and stable occupation codes.

Revision ID: 0001_core
Revises:
"""

from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    for ext in ("pg_trgm", "unaccent", "citext", "btree_gin"):
        op.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
    # The application connects as (or SET ROLEs to) this non-owner role, so row-level security applies to it.
    op.execute("""
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'skillforge_app') THEN
        CREATE ROLE skillforge_app LOGIN NOSUPERUSER NOBYPASSRLS;
      END IF;
    END $$""")
    op.execute("DO $$ BEGIN EXECUTE format('GRANT skillforge_app TO %I', current_user); END $$")
    op.execute("GRANT USAGE ON SCHEMA public TO skillforge_app")
    op.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO skillforge_app")
    op.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO skillforge_app")

    # unaccent() is STABLE (it reads a dictionary); an IMMUTABLE wrapper with the dictionary named lets
    # expression indexes use it.
    op.execute("""
    CREATE OR REPLACE FUNCTION sf_unaccent(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      RETURN public.unaccent('public.unaccent'::regdictionary, $1)""")
    op.execute("""
    CREATE OR REPLACE FUNCTION sf_normalize(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      RETURN lower(regexp_replace(sf_unaccent($1), '\\s+', ' ', 'g'))""")
    op.execute("""
    CREATE OR REPLACE FUNCTION sf_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN NEW.updated_at := now(); RETURN NEW; END $$""")

    # Every O*NET release ever loaded; exactly one is current. The reference tables of a release live in
    # their own schema (schema_name); the public names are views onto the current one.
    op.execute("""
    CREATE TYPE release_status AS ENUM ('loading', 'validated', 'current', 'retired', 'failed')""")
    op.execute("""
    CREATE TABLE onet_releases (
      release        text PRIMARY KEY CHECK (release ~ '^[0-9]{1,3}\\.[0-9]{1,2}$'),
      schema_name    text NOT NULL UNIQUE CHECK (schema_name ~ '^onet_r[0-9_]+$'),
      status         release_status NOT NULL DEFAULT 'loading',
      source         text NOT NULL,
      fingerprint    text NOT NULL,
      row_counts     jsonb NOT NULL DEFAULT '{}'::jsonb,
      report         jsonb NOT NULL DEFAULT '{}'::jsonb,
      started_at     timestamptz NOT NULL DEFAULT now(),
      loaded_at      timestamptz,
      made_current_at timestamptz,
      retired_at     timestamptz
    )""")
    op.execute(
        "CREATE UNIQUE INDEX onet_releases_one_current ON onet_releases ((true)) WHERE status = 'current'"
    )

    # Stable registry of O*NET-SOC codes across releases: people data references it, so a code that a
    # later release drops keeps its saved roles and experiences valid.
    op.execute("""
    CREATE TABLE occupation_codes (
      onet_code      text PRIMARY KEY CHECK (onet_code ~ '^[0-9]{2}-[0-9]{4}\\.[0-9]{2}$'),
      title          text NOT NULL,
      first_release  text NOT NULL REFERENCES onet_releases(release) ON DELETE RESTRICT,
      last_release   text NOT NULL REFERENCES onet_releases(release) ON DELETE RESTRICT
    )""")
    op.execute("CREATE INDEX occupation_codes_first_release_idx ON occupation_codes (first_release)")
    op.execute("CREATE INDEX occupation_codes_last_release_idx ON occupation_codes (last_release)")

    op.execute("""
    CREATE TABLE release_changelog (
      id            bigserial PRIMARY KEY,
      from_release  text REFERENCES onet_releases(release) ON DELETE CASCADE,
      to_release    text NOT NULL REFERENCES onet_releases(release) ON DELETE CASCADE,
      change_type   text NOT NULL CHECK (change_type IN ('occupation_added', 'occupation_removed',
                      'occupation_retitled', 'rating_changed', 'element_added', 'element_removed')),
      onet_code     text,
      element_id    text,
      detail        jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at    timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute("CREATE INDEX release_changelog_to_idx ON release_changelog (to_release, change_type)")
    op.execute("CREATE INDEX release_changelog_from_idx ON release_changelog (from_release)")
    op.execute("GRANT SELECT ON onet_releases, occupation_codes, release_changelog TO skillforge_app")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS release_changelog, occupation_codes, onet_releases")
    op.execute("DROP TYPE IF EXISTS release_status")
    op.execute("DROP FUNCTION IF EXISTS sf_set_updated_at(), sf_normalize(text), sf_unaccent(text)")
    op.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM skillforge_app")
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM skillforge_app"
    )
    op.execute("REVOKE USAGE ON SCHEMA public FROM skillforge_app")
    # The role is cluster-wide and may serve other databases; it is left in place on purpose.
