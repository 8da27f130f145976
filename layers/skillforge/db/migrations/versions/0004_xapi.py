"""xAPI intake: remember which statement a voiding statement voids (a target that arrives after its voiding
statement is stored voided: LRS semantics do not depend on arrival order), and attach a learner's pending
statements the moment the learner's user row arrives (a trigger on users, whatever code creates the user).

Revision ID: 0004_xapi
Revises: 0003_reference
"""

from alembic import op

revision = "0004_xapi"
down_revision = "0003_reference"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE xapi_statements ADD COLUMN voids_statement_id uuid")
    op.execute(
        "CREATE INDEX xapi_statements_voids_idx ON xapi_statements (voids_statement_id) "
        "WHERE voids_statement_id IS NOT NULL"
    )
    op.execute(
        "COMMENT ON COLUMN xapi_statements.voids_statement_id IS "
        "'For a voiding statement (verb http://adlnet.gov/expapi/verbs/voided): the statement it voids'"
    )

    # actor_hash is a keyed blind index (the key lives outside the database), so SQL cannot compute it for
    # an account actor's external_ref. A pending account statement also carries the plain SHA-256 of the
    # account name (external_ref is stored in clear in users anyway); it is cleared once the statement is
    # applied.
    op.execute(
        "ALTER TABLE xapi_statements ADD COLUMN account_ref_sha256 bytea "
        "CHECK (account_ref_sha256 IS NULL OR length(account_ref_sha256) = 32)"
    )
    op.execute(
        "CREATE INDEX xapi_statements_account_pending_idx ON xapi_statements (account_ref_sha256) "
        "WHERE status = 'pending_user'"
    )
    op.execute(
        "COMMENT ON COLUMN xapi_statements.account_ref_sha256 IS "
        "'While pending_user: sha256 of the actor account name (matches users.external_ref)'"
    )

    # Runs with tenant '*' (a function-level SET, restored on return) because pending assessments are
    # visible to platform scope only; it touches only rows of the new user's own partner.
    op.execute("""
    CREATE FUNCTION sf_xapi_attach_pending() RETURNS trigger LANGUAGE plpgsql
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
      -- Voided statements of the learner keep their status but follow the user (erasure, export).
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

    # The pathway audit history is evidence: rows are never rewritten, and only rows past retain_until
    # (five years) may be deleted - also through a cascade from a deleted pathway.
    op.execute("""
    CREATE FUNCTION sf_pathway_history_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'learning_pathway_history is append-only (audit row %)', OLD.id
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF OLD.retain_until > now() THEN
        RAISE EXCEPTION 'learning_pathway_history row % is retained until %', OLD.id, OLD.retain_until
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN OLD;
    END $$""")
    op.execute(
        "CREATE TRIGGER learning_pathway_history_append_only BEFORE UPDATE OR DELETE "
        "ON learning_pathway_history FOR EACH ROW EXECUTE FUNCTION sf_pathway_history_guard()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS learning_pathway_history_append_only ON learning_pathway_history")
    op.execute("DROP FUNCTION IF EXISTS sf_pathway_history_guard()")
    op.execute("DROP TRIGGER IF EXISTS users_attach_pending_xapi ON users")
    op.execute("DROP FUNCTION IF EXISTS sf_xapi_attach_pending()")
    op.execute("DROP INDEX IF EXISTS xapi_statements_account_pending_idx")
    op.execute("ALTER TABLE xapi_statements DROP COLUMN IF EXISTS account_ref_sha256")
    op.execute("DROP INDEX IF EXISTS xapi_statements_voids_idx")
    op.execute("ALTER TABLE xapi_statements DROP COLUMN IF EXISTS voids_statement_id")
