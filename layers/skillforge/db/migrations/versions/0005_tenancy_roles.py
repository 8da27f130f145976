"""Tenancy by role: the all-tenants scope belongs to a separate role, partner_tenancy gets row-level security,
and the xAPI account look-up uses the keyed blind index.

- `skillforge_platform` (workflows, platform administration) is the only role for which tenant '*' means
  every tenant. The request path connects as `skillforge_app`, which may still set '*' but then sees nothing:
  `sf_all_tenants()` is false for it.
- `partner_tenancy`: a partner sees and edits only its own row (name, contact, settings); creating, removing
  and changing a partner's status or retention are platform operations.
- `users.external_ref_hash` is the keyed blind index of `external_ref` (kind 'external_ref'), computed by the
  application like `email_hash`; pending xAPI statements of an account actor carry the same keyed hash as
  their `actor_hash`, so the unkeyed `xapi_statements.account_ref_sha256` goes.
- The attach-pending trigger no longer switches itself to tenant '*': it runs in the scope of whoever writes
  the user, and pending assessments are visible to the tenant whose statement created them.

Revision ID: 0005_tenancy_roles
Revises: 0004_xapi
"""

from alembic import op

revision = "0005_tenancy_roles"
down_revision = "0004_xapi"
branch_labels = None
depends_on = None

PARTNER_EDITABLE = ("name", "contact_email_ciphertext", "settings")

ATTACH_PENDING = """
CREATE OR REPLACE FUNCTION sf_xapi_attach_pending() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  attached uuid[];
BEGIN
  IF NEW.deleted_at IS NOT NULL THEN
    RETURN NULL;
  END IF;
  WITH applied AS (
    UPDATE xapi_statements SET user_id = NEW.id, status = 'applied'
     WHERE status = 'pending_user' AND partner_code IS NOT DISTINCT FROM NEW.partner_code
       AND (actor_hash = NEW.email_hash OR actor_hash = NEW.external_ref_hash)
    RETURNING statement_id)
  SELECT coalesce(array_agg(statement_id), '{}') INTO attached FROM applied;
  -- Voided statements of the learner keep their status but follow the user (erasure, export).
  UPDATE xapi_statements SET user_id = NEW.id
   WHERE status = 'voided' AND user_id IS NULL AND partner_code IS NOT DISTINCT FROM NEW.partner_code
     AND (actor_hash = NEW.email_hash OR actor_hash = NEW.external_ref_hash);
  IF cardinality(attached) > 0 THEN
    UPDATE assessments SET user_id = NEW.id, status = 'completed'
     WHERE statement_id = ANY(attached) AND status = 'pending_user';
  END IF;
  RETURN NULL;
END $$"""


def upgrade() -> None:
    op.execute("""
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'skillforge_platform') THEN
        CREATE ROLE skillforge_platform LOGIN NOSUPERUSER NOBYPASSRLS;
      END IF;
    END $$""")
    # The platform role can do all the app role can, plus the platform-only writes below.
    op.execute("GRANT skillforge_app TO skillforge_platform")
    op.execute("DO $$ BEGIN EXECUTE format('GRANT skillforge_platform TO %I', current_user); END $$")

    op.execute("""
    CREATE OR REPLACE FUNCTION sf_all_tenants() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
      RETURN coalesce(sf_tenant() = '*', false) AND pg_has_role('skillforge_platform', 'USAGE')""")
    op.execute("""
    CREATE OR REPLACE FUNCTION sf_tenant_allows(partner text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
      RETURN coalesce(partner, 'direct') = sf_tenant() OR sf_all_tenants()""")

    op.execute("DROP POLICY tenant_isolation ON assessments")
    op.execute("""
    CREATE POLICY tenant_isolation ON assessments
      USING (user_id IN (SELECT id FROM users)
             OR (user_id IS NULL AND (sf_all_tenants()
                                      OR statement_id IN (SELECT statement_id FROM xapi_statements))))
      WITH CHECK (user_id IN (SELECT id FROM users)
                  OR (user_id IS NULL AND (sf_all_tenants()
                                           OR statement_id IN (SELECT statement_id FROM xapi_statements))))""")

    op.execute("ALTER TABLE partner_tenancy ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE partner_tenancy FORCE ROW LEVEL SECURITY")
    op.execute(
        "CREATE POLICY partner_read ON partner_tenancy FOR SELECT "
        "USING (partner_code = sf_tenant() OR sf_all_tenants())"
    )
    op.execute(
        "CREATE POLICY partner_update ON partner_tenancy FOR UPDATE "
        "USING (partner_code = sf_tenant() OR sf_all_tenants()) "
        "WITH CHECK (partner_code = sf_tenant() OR sf_all_tenants())"
    )
    op.execute("CREATE POLICY partner_create ON partner_tenancy FOR INSERT WITH CHECK (sf_all_tenants())")
    op.execute("CREATE POLICY partner_remove ON partner_tenancy FOR DELETE USING (sf_all_tenants())")
    op.execute("REVOKE INSERT, UPDATE, DELETE ON partner_tenancy FROM skillforge_app")
    op.execute(f"GRANT UPDATE ({', '.join(PARTNER_EDITABLE)}) ON partner_tenancy TO skillforge_app")
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON partner_tenancy TO skillforge_platform")

    op.execute(
        "ALTER TABLE users ADD COLUMN external_ref_hash bytea "
        "CHECK (external_ref_hash IS NULL OR length(external_ref_hash) = 32)"
    )
    op.execute(
        "ALTER TABLE users ADD CONSTRAINT users_external_ref_hash_set "
        "CHECK ((external_ref IS NULL) = (external_ref_hash IS NULL))"
    )
    # Unique like external_ref itself, so an account actor names at most one live user of a tenant.
    op.execute(
        "CREATE UNIQUE INDEX users_partner_external_ref_hash_uq ON users (partner_code, external_ref_hash) "
        "WHERE external_ref_hash IS NOT NULL AND deleted_at IS NULL"
    )
    op.execute(
        "COMMENT ON COLUMN users.external_ref_hash IS "
        "'Keyed blind index of external_ref (kind external_ref): the xAPI account look-up'"
    )
    op.execute("DROP INDEX IF EXISTS xapi_statements_account_pending_idx")
    op.execute("ALTER TABLE xapi_statements DROP COLUMN account_ref_sha256")
    # Statement ids are global (the primary key), so a tenant already learns that an id is taken by a
    # conflict; this tells intake which of the ids a voiding statement names belong to another tenant, so it
    # answers 403 instead of storing a voiding statement that can never apply. It returns ids only.
    op.execute("""
    CREATE FUNCTION sf_xapi_statements_of_other_tenants(ids uuid[], tenant text) RETURNS SETOF uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET skillforge.tenant = '*'
      AS $$ SELECT statement_id FROM xapi_statements
             WHERE statement_id = ANY(ids) AND coalesce(partner_code, 'direct') <> tenant $$""")
    op.execute("REVOKE ALL ON FUNCTION sf_xapi_statements_of_other_tenants(uuid[], text) FROM PUBLIC")
    op.execute(
        "GRANT EXECUTE ON FUNCTION sf_xapi_statements_of_other_tenants(uuid[], text) TO skillforge_app"
    )

    op.execute("DROP TRIGGER users_attach_pending_xapi ON users")
    op.execute(ATTACH_PENDING)
    op.execute("""
    CREATE TRIGGER users_attach_pending_xapi
      AFTER INSERT OR UPDATE OF email_hash, external_ref_hash, deleted_at ON users
      FOR EACH ROW WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION sf_xapi_attach_pending()""")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS sf_xapi_statements_of_other_tenants(uuid[], text)")
    op.execute("DROP TRIGGER users_attach_pending_xapi ON users")
    op.execute(
        "ALTER TABLE xapi_statements ADD COLUMN account_ref_sha256 bytea "
        "CHECK (account_ref_sha256 IS NULL OR length(account_ref_sha256) = 32)"
    )
    op.execute(
        "CREATE INDEX xapi_statements_account_pending_idx ON xapi_statements (account_ref_sha256) "
        "WHERE status = 'pending_user'"
    )
    op.execute("""
    CREATE OR REPLACE FUNCTION sf_xapi_attach_pending() RETURNS trigger LANGUAGE plpgsql
    SET skillforge.tenant = '*' AS $$
    DECLARE
      ref_digest bytea := CASE WHEN NEW.external_ref IS NULL THEN NULL
                               ELSE sha256(convert_to(NEW.external_ref, 'UTF8')) END;
      attached uuid[];
    BEGIN
      IF NEW.deleted_at IS NOT NULL THEN
        RETURN NULL;
      END IF;
      WITH applied AS (
        UPDATE xapi_statements SET user_id = NEW.id, status = 'applied', account_ref_sha256 = NULL
         WHERE status = 'pending_user' AND partner_code IS NOT DISTINCT FROM NEW.partner_code
           AND (actor_hash = NEW.email_hash OR account_ref_sha256 = ref_digest)
        RETURNING statement_id)
      SELECT coalesce(array_agg(statement_id), '{}') INTO attached FROM applied;
      UPDATE xapi_statements SET user_id = NEW.id, account_ref_sha256 = NULL
       WHERE status = 'voided' AND user_id IS NULL AND partner_code IS NOT DISTINCT FROM NEW.partner_code
         AND (actor_hash = NEW.email_hash OR account_ref_sha256 = ref_digest);
      IF cardinality(attached) > 0 THEN
        UPDATE assessments SET user_id = NEW.id, status = 'completed'
         WHERE statement_id = ANY(attached) AND status = 'pending_user';
      END IF;
      RETURN NULL;
    END $$""")
    op.execute("""
    CREATE TRIGGER users_attach_pending_xapi
      AFTER INSERT OR UPDATE OF email_hash, external_ref, deleted_at ON users
      FOR EACH ROW WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION sf_xapi_attach_pending()""")
    op.execute("DROP INDEX IF EXISTS users_partner_external_ref_hash_uq")
    op.execute("ALTER TABLE users DROP CONSTRAINT IF EXISTS users_external_ref_hash_set")
    op.execute("ALTER TABLE users DROP COLUMN IF EXISTS external_ref_hash")

    op.execute("REVOKE ALL ON partner_tenancy FROM skillforge_platform")
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON partner_tenancy TO skillforge_app")
    for policy in ("partner_read", "partner_update", "partner_create", "partner_remove"):
        op.execute(f"DROP POLICY IF EXISTS {policy} ON partner_tenancy")
    op.execute("ALTER TABLE partner_tenancy NO FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE partner_tenancy DISABLE ROW LEVEL SECURITY")

    op.execute("DROP POLICY tenant_isolation ON assessments")
    op.execute(
        "CREATE POLICY tenant_isolation ON assessments "
        "USING (user_id IN (SELECT id FROM users) OR (user_id IS NULL AND sf_tenant() = '*')) "
        "WITH CHECK (user_id IN (SELECT id FROM users) OR (user_id IS NULL AND sf_tenant() = '*'))"
    )
    op.execute("""
    CREATE OR REPLACE FUNCTION sf_tenant_allows(partner text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
      RETURN sf_tenant() = '*' OR coalesce(partner, 'direct') = sf_tenant()""")
    op.execute("DROP FUNCTION IF EXISTS sf_all_tenants()")
    # The role and its membership in skillforge_app are cluster-wide and other databases on the cluster may
    # rely on them: both stay; only this database's objects and grants are undone.
