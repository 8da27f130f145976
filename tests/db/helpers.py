"""Row builders for people-table tests (direct SQL: the rules under test live in the database)."""

from __future__ import annotations

import hashlib
import uuid


def fake_hash(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def add_partner(conn, code: str, name: str | None = None) -> str:
    conn.execute(
        "INSERT INTO partner_tenancy (partner_code, name) VALUES (%s, %s)", (code, name or code.title())
    )
    return code


def add_user(
    conn, email: str = None, partner: str | None = None, masked: str | None = None, **extra
) -> uuid.UUID:
    email = email or f"{uuid.uuid4().hex[:8]}@example.org"
    cols = {
        "partner_code": partner,
        "email_ciphertext": b"ciphertext",
        "email_hash": fake_hash(email),
        "email": masked or f"{email[:1]}***@e***.org",
        **extra,
    }
    names = ", ".join(cols)
    marks = ", ".join(["%s"] * len(cols))
    row = conn.execute(
        f"INSERT INTO users ({names}) VALUES ({marks}) RETURNING id", list(cols.values())
    ).fetchone()
    return row["id"] if isinstance(row, dict) else row[0]


def add_code(
    conn, code: str = "15-1252.00", title: str = "Software Developers", release: str = "29.0"
) -> str:
    conn.execute(
        "INSERT INTO onet_releases (release, schema_name, source, fingerprint) VALUES (%s, %s, 'test', 'x') "
        "ON CONFLICT DO NOTHING",
        (release, "onet_r" + release.replace(".", "_")),
    )
    conn.execute(
        "INSERT INTO occupation_codes (onet_code, title, first_release, last_release) "
        "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
        (code, title, release, release),
    )
    return code
