"""Data access foundations: connections (with tenant scope), the local server, migrations."""

from skillforge.db.connection import connect, database_url, set_tenant, transaction

__all__ = ["connect", "database_url", "set_tenant", "transaction"]
