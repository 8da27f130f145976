"""xAPI intake: remember which statement a voiding statement voids, so a target that arrives after its
voiding statement is stored voided (LRS semantics do not depend on arrival order).

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
    op.execute("CREATE INDEX xapi_statements_voids_idx ON xapi_statements (voids_statement_id) "
               "WHERE voids_statement_id IS NOT NULL")
    op.execute("COMMENT ON COLUMN xapi_statements.voids_statement_id IS "
               "'For a voiding statement (verb http://adlnet.gov/expapi/verbs/voided): the statement it voids'")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS xapi_statements_voids_idx")
    op.execute("ALTER TABLE xapi_statements DROP COLUMN IF EXISTS voids_statement_id")
