"""Loads an O*NET release from the onet-raw bucket into the database (first load, monthly refresh) or rolls the
current release back. Requests and the bucket's key convention: `skillforge.onet.remote`; runbook:
docs/deploy.md "First O*NET load" and "Monthly refresh".

It connects to the Aurora writer as the schema owner (the cluster secret), like db_migrate: an import creates
and renames schemas, which the application role may not do.
"""

from __future__ import annotations

from skillforge.observability import lambda_entry
from skillforge.onet.remote import handle


def load(event, context):
    return handle(event)


handler = lambda_entry(load, correlation_id_path="id")
