"""Alembic, driven from code: `skillforge db migrate`, the deploy-time migration Lambda and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

MIGRATIONS = Path(__file__).parent / "migrations"
ALEMBIC_INI = Path(__file__).parent / "alembic.ini"  # script location; also for `alembic -c ... revision`


def sqlalchemy_url(url: str) -> str:
    # Alembic runs on SQLAlchemy; the driver is psycopg 3, the same one the application uses.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def alembic_config(url: str) -> Config:
    cfg = Config(str(ALEMBIC_INI))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> tuple[str | None, str | None]:
    """Apply migrations up to `revision`; returns (before, after) revisions. Idempotent."""
    from skillforge.db.connection import database_url

    url = url or database_url()
    before = current(url)
    command.upgrade(alembic_config(url), revision)
    return before, current(url)


def downgrade(url: str | None, revision: str) -> None:
    from skillforge.db.connection import database_url

    command.downgrade(alembic_config(url or database_url()), revision)


def current(url: str) -> str | None:
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head() -> str:
    revision = ScriptDirectory.from_config(Config(str(ALEMBIC_INI))).get_current_head()
    if revision is None:  # only with no migration at all (several heads raise in alembic)
        raise RuntimeError(f"no single head revision in {MIGRATIONS}")
    return revision
