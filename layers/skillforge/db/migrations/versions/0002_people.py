"""People layer: partners, users, experiences, assessments, pathways, saved roles, notifications, advisors,
xAPI intake, with tenant row-level security.

Encrypted columns (`*_ciphertext`) hold KMS envelope ciphertext (aws-encryption-sdk); `*_hash` columns are
HMAC-SHA256 blind indexes for equality look-ups; see docs/schema-decisions.md.

Revision ID: 0002_people
Revises: 0001_core
"""

from alembic import op

revision = "0002_people"
down_revision = "0001_core"
branch_labels = None
depends_on = None

ENUMS = {
    "partner_status": ("active", "suspended", "offboarded"),
    "user_role": ("learner", "advisor", "partner_admin", "platform_admin"),
    "user_status": ("active", "suspended", "deletion_pending", "deleted"),
    "experience_type": ("employment", "education", "volunteer", "training", "military", "apprenticeship"),
    "assessment_type": (
        "interest_profiler",
        "skills_test",
        "work_values",
        "personality",
        "aptitude",
        "other",
    ),
    "assessment_status": ("completed", "pending_user", "voided"),
    "pathway_status": ("active", "retired"),
    "notification_channel": ("email", "push", "in_app", "sms"),
    "notification_status": ("pending", "sent", "read", "failed", "cancelled"),
    "assignment_status": ("active", "ended"),
    "statement_status": ("applied", "pending_user", "voided", "rejected"),
}

TENANT_TABLES_DIRECT = ("users", "advisor_assignments")  # carry partner_code themselves
TENANT_TABLES_VIA_USER = ("experiences", "assessments", "notifications", "saved_roles")


def upgrade() -> None:
    for name, values in ENUMS.items():
        op.execute(f"CREATE TYPE {name} AS ENUM ({', '.join(repr(v) for v in values)})")

    # The tenant scope of the current session: '*' (platform), 'direct' (users without partner) or a
    # partner code. Unset means no people rows at all: forgetting to scope a connection fails closed.
    op.execute("""
    CREATE OR REPLACE FUNCTION sf_tenant() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
      RETURN nullif(current_setting('skillforge.tenant', true), '')""")
    op.execute("""
    CREATE OR REPLACE FUNCTION sf_tenant_allows(partner text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
      RETURN sf_tenant() = '*' OR coalesce(partner, 'direct') = sf_tenant()""")

    op.execute("""
    CREATE TABLE partner_tenancy (
      partner_code        text PRIMARY KEY CHECK (partner_code ~ '^[a-z0-9][a-z0-9-]{1,62}$' AND partner_code <> 'direct'),
      name                text NOT NULL CHECK (length(btrim(name)) > 0),
      status              partner_status NOT NULL DEFAULT 'active',
      contact_email_ciphertext bytea,
      data_retention_days integer NOT NULL DEFAULT 730 CHECK (data_retention_days BETWEEN 30 AND 3650),
      settings            jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at          timestamptz NOT NULL DEFAULT now(),
      updated_at          timestamptz NOT NULL DEFAULT now(),
      offboarded_at       timestamptz
    )""")

    op.execute("""
    CREATE TABLE users (
      id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      partner_code        text REFERENCES partner_tenancy(partner_code) ON DELETE RESTRICT,
      external_ref        text CHECK (external_ref IS NULL OR length(btrim(external_ref)) BETWEEN 1 AND 200),
      role                user_role NOT NULL DEFAULT 'learner',
      status              user_status NOT NULL DEFAULT 'active',
      email_ciphertext    bytea,
      email_hash          bytea CHECK (email_hash IS NULL OR length(email_hash) = 32),
      email               text CHECK (email LIKE '%@%'),
      phone_ciphertext    bytea,
      given_name_ciphertext  bytea,
      family_name_ciphertext bytea,
      preferred_locale    text CHECK (preferred_locale IS NULL OR preferred_locale ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
      timezone            text,
      consent_version     text,
      consent_signed_at   timestamptz,
      created_at          timestamptz NOT NULL DEFAULT now(),
      updated_at          timestamptz NOT NULL DEFAULT now(),
      last_active_at      timestamptz,
      deleted_at          timestamptz,
      purge_after         timestamptz,
      CHECK ((status = 'deleted') = (deleted_at IS NOT NULL)),
      CHECK (status = 'deleted' OR (email_ciphertext IS NOT NULL AND email_hash IS NOT NULL AND email IS NOT NULL)),
      CHECK (status = 'deleted' OR consent_version IS NULL OR consent_signed_at IS NOT NULL)
    )""")
    op.execute(
        "COMMENT ON COLUMN users.email IS 'Masked display form (j***@e***.com): never the address itself'"
    )
    op.execute("CREATE UNIQUE INDEX users_email_active_uq ON users (email_hash) WHERE deleted_at IS NULL")
    op.execute(
        "CREATE UNIQUE INDEX users_partner_external_ref_uq ON users (partner_code, external_ref) "
        "WHERE external_ref IS NOT NULL AND deleted_at IS NULL"
    )
    op.execute("CREATE INDEX users_partner_code_idx ON users (partner_code)")
    op.execute("CREATE INDEX users_purge_after_idx ON users (purge_after) WHERE purge_after IS NOT NULL")

    op.execute("""
    CREATE TABLE experiences (
      id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id             uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      experience_type     experience_type NOT NULL DEFAULT 'employment',
      title               text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
      employer_ciphertext bytea,
      description_ciphertext bytea,
      onet_code           text REFERENCES occupation_codes(onet_code) ON DELETE SET NULL,
      start_date          date NOT NULL,
      end_date            date,
      is_current          boolean NOT NULL DEFAULT false,
      skills              jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(skills) = 'array'),
      source              text NOT NULL DEFAULT 'user',
      created_at          timestamptz NOT NULL DEFAULT now(),
      updated_at          timestamptz NOT NULL DEFAULT now(),
      anonymised_at       timestamptz,
      CHECK (end_date IS NULL OR end_date >= start_date),
      CHECK (NOT (is_current AND end_date IS NOT NULL))
    )""")
    op.execute("CREATE INDEX experiences_user_id_idx ON experiences (user_id)")
    op.execute("CREATE INDEX experiences_onet_code_idx ON experiences (onet_code)")

    op.execute("""
    CREATE TABLE learning_pathways (
      id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      pathway_key         text NOT NULL UNIQUE CHECK (pathway_key ~ '^[a-z0-9][a-z0-9-]{2,100}$'),
      title               text NOT NULL CHECK (length(btrim(title)) > 0),
      target_onet_code    text NOT NULL REFERENCES occupation_codes(onet_code) ON DELETE RESTRICT,
      description         text,
      steps               jsonb NOT NULL CHECK (jsonb_typeof(steps) = 'array' AND jsonb_array_length(steps) > 0),
      total_duration_weeks numeric(6,1) CHECK (total_duration_weeks > 0),
      certification       text,
      status              pathway_status NOT NULL DEFAULT 'active',
      version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      content_sha256      text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
      published_at        timestamptz NOT NULL DEFAULT now(),
      retired_at          timestamptz,
      CHECK ((status = 'retired') = (retired_at IS NOT NULL)),
      UNIQUE (title, target_onet_code)
    )""")
    op.execute(
        "CREATE INDEX learning_pathways_target_idx ON learning_pathways (target_onet_code) WHERE status = 'active'"
    )
    op.execute("""
    CREATE TABLE learning_pathway_history (
      id           bigserial PRIMARY KEY,
      pathway_id   uuid NOT NULL REFERENCES learning_pathways(id) ON DELETE CASCADE,
      change       text NOT NULL CHECK (change IN ('insert', 'update', 'retire', 'reactivate')),
      version      integer NOT NULL,
      before       jsonb,
      after        jsonb,
      changed_at   timestamptz NOT NULL DEFAULT now(),
      changed_by   text NOT NULL DEFAULT current_user,
      retain_until timestamptz NOT NULL DEFAULT now() + interval '5 years'
    )""")
    op.execute(
        "CREATE INDEX learning_pathway_history_pathway_idx ON learning_pathway_history (pathway_id, changed_at)"
    )

    op.execute("""
    CREATE TABLE assessment_instruments (
      id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      instrument_iri  text NOT NULL CHECK (instrument_iri ~ '^[a-zA-Z][a-zA-Z0-9+.-]*:'),
      version         text NOT NULL CHECK (length(version) BETWEEN 1 AND 50),
      sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      assessment_type assessment_type NOT NULL,
      registered_at   timestamptz NOT NULL DEFAULT now(),
      retired_at      timestamptz,
      UNIQUE (instrument_iri, version)
    )""")

    op.execute("""
    CREATE TABLE assessments (
      id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id                uuid REFERENCES users(id) ON DELETE CASCADE,
      assessment_type        assessment_type NOT NULL,
      assessment_version     text NOT NULL,
      instrument_id          uuid REFERENCES assessment_instruments(id) ON DELETE RESTRICT,
      administered_at        timestamptz NOT NULL,
      completed_at           timestamptz,
      scores                 jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(scores) = 'object'),
      source                 text NOT NULL,
      statement_id           uuid UNIQUE,
      status                 assessment_status NOT NULL DEFAULT 'completed',
      recommended_onet_code  text REFERENCES occupation_codes(onet_code) ON DELETE SET NULL,
      recommended_pathway_id uuid REFERENCES learning_pathways(id) ON DELETE SET NULL,
      recommendations        jsonb NOT NULL DEFAULT '[]'::jsonb,
      created_at             timestamptz NOT NULL DEFAULT now(),
      updated_at             timestamptz NOT NULL DEFAULT now(),
      CHECK (completed_at IS NULL OR completed_at >= administered_at),
      CHECK (status = 'pending_user' OR user_id IS NOT NULL)
    )""")
    op.execute("CREATE INDEX assessments_user_id_idx ON assessments (user_id, completed_at DESC)")
    op.execute("CREATE INDEX assessments_instrument_idx ON assessments (instrument_id)")
    op.execute("CREATE INDEX assessments_recommended_onet_idx ON assessments (recommended_onet_code)")
    op.execute("CREATE INDEX assessments_recommended_pathway_idx ON assessments (recommended_pathway_id)")

    # Raw xAPI statements as received (LRS semantics: idempotent by id, voidable). The statement carries
    # actor identifiers (PII), so it is stored encrypted; actor_hash finds pending statements of a new user.
    op.execute("""
    CREATE TABLE xapi_statements (
      statement_id        uuid PRIMARY KEY,
      content_sha256      text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
      statement_ciphertext bytea NOT NULL,
      actor_hash          bytea NOT NULL,
      partner_code        text REFERENCES partner_tenancy(partner_code) ON DELETE RESTRICT,
      verb_id             text NOT NULL,
      user_id             uuid REFERENCES users(id) ON DELETE CASCADE,
      status              statement_status NOT NULL,
      voided_by           uuid,
      source              text NOT NULL,
      stored_at           timestamptz NOT NULL DEFAULT now()
    )""")
    op.execute(
        "CREATE INDEX xapi_statements_actor_pending_idx ON xapi_statements (actor_hash) WHERE status = 'pending_user'"
    )
    op.execute("CREATE INDEX xapi_statements_user_idx ON xapi_statements (user_id)")
    op.execute("CREATE INDEX xapi_statements_partner_idx ON xapi_statements (partner_code)")

    op.execute("""
    CREATE TABLE saved_roles (
      id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id         uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      onet_code       text NOT NULL REFERENCES occupation_codes(onet_code) ON DELETE RESTRICT,
      interest_level  smallint NOT NULL DEFAULT 3 CHECK (interest_level BETWEEN 1 AND 5),
      notes           text CHECK (notes IS NULL OR length(notes) <= 2000),
      created_at      timestamptz NOT NULL DEFAULT now(),
      updated_at      timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, onet_code)
    )""")
    op.execute("CREATE INDEX saved_roles_onet_code_idx ON saved_roles (onet_code)")

    op.execute("""
    CREATE TABLE notifications (
      id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id           uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      notification_type text NOT NULL CHECK (notification_type ~ '^[a-z][a-z0-9_.]{2,60}$'),
      channel           notification_channel NOT NULL DEFAULT 'in_app',
      status            notification_status NOT NULL DEFAULT 'pending',
      payload           jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at        timestamptz NOT NULL DEFAULT now(),
      scheduled_for     timestamptz,
      sent_at           timestamptz,
      read_at           timestamptz,
      CHECK (read_at IS NULL OR sent_at IS NULL OR read_at >= sent_at)
    )""")
    op.execute("CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC)")
    op.execute(
        "CREATE INDEX notifications_pending_idx ON notifications (scheduled_for) WHERE status = 'pending'"
    )

    op.execute("""
    CREATE TABLE advisor_assignments (
      id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      advisor_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      advisee_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      partner_code  text REFERENCES partner_tenancy(partner_code) ON DELETE RESTRICT,
      status        assignment_status NOT NULL DEFAULT 'active',
      assigned_at   timestamptz NOT NULL DEFAULT now(),
      ended_at      timestamptz,
      CHECK (advisor_id <> advisee_id),
      CHECK ((status = 'ended') = (ended_at IS NOT NULL)),
      CHECK (ended_at IS NULL OR ended_at >= assigned_at)
    )""")
    op.execute(
        "CREATE UNIQUE INDEX advisor_assignments_one_active_uq ON advisor_assignments (advisor_id, advisee_id) "
        "WHERE status = 'active'"
    )
    op.execute("CREATE INDEX advisor_assignments_advisee_idx ON advisor_assignments (advisee_id)")
    op.execute("CREATE INDEX advisor_assignments_partner_idx ON advisor_assignments (partner_code)")

    for table in ("partner_tenancy", "users", "experiences", "assessments", "saved_roles"):
        op.execute(
            f"CREATE TRIGGER {table}_updated_at BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION sf_set_updated_at()"
        )

    # Row-level security. FORCE makes the policies apply to the table owner too (only superusers and
    # BYPASSRLS roles skip them; the application role is neither).
    for table in TENANT_TABLES_DIRECT + TENANT_TABLES_VIA_USER + ("xapi_statements",):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    for table in TENANT_TABLES_DIRECT + ("xapi_statements",):
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING (sf_tenant_allows(partner_code)) "
            f"WITH CHECK (sf_tenant_allows(partner_code))"
        )
    # Rows that belong to a user follow that user's partner (users' own policy filters the sub-select).
    for table in TENANT_TABLES_VIA_USER:
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} "
            f"USING (user_id IN (SELECT id FROM users)) WITH CHECK (user_id IN (SELECT id FROM users))"
        )
    # Pending assessments (user not known yet) are visible to platform scope only.
    op.execute("DROP POLICY tenant_isolation ON assessments")
    op.execute(
        "CREATE POLICY tenant_isolation ON assessments "
        "USING (user_id IN (SELECT id FROM users) OR (user_id IS NULL AND sf_tenant() = '*')) "
        "WITH CHECK (user_id IN (SELECT id FROM users) OR (user_id IS NULL AND sf_tenant() = '*'))"
    )
    # An advisor assignment must stay inside one tenant: both people visible to the writer.
    op.execute("DROP POLICY tenant_isolation ON advisor_assignments")
    op.execute(
        "CREATE POLICY tenant_isolation ON advisor_assignments USING (sf_tenant_allows(partner_code)) "
        "WITH CHECK (sf_tenant_allows(partner_code) AND advisor_id IN (SELECT id FROM users) "
        "AND advisee_id IN (SELECT id FROM users))"
    )

    people = (
        "partner_tenancy",
        "users",
        "experiences",
        "learning_pathways",
        "learning_pathway_history",
        "assessment_instruments",
        "assessments",
        "xapi_statements",
        "saved_roles",
        "notifications",
        "advisor_assignments",
    )
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(people)} TO skillforge_app")
    op.execute("GRANT USAGE ON SEQUENCE learning_pathway_history_id_seq TO skillforge_app")


def downgrade() -> None:
    op.execute("""DROP TABLE IF EXISTS advisor_assignments, notifications, saved_roles, xapi_statements,
                  assessments, assessment_instruments, learning_pathway_history, learning_pathways,
                  experiences, users, partner_tenancy CASCADE""")
    op.execute("DROP FUNCTION IF EXISTS sf_tenant_allows(text), sf_tenant()")
    for name in reversed(list(ENUMS)):
        op.execute(f"DROP TYPE IF EXISTS {name}")
