"""xAPI test fixtures: KMS (moto), a migrated database seeded with real O*NET sample rows (occupation codes,
job zones and Interests) and a registered Interest Profiler instrument."""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from skillforge import pii
from tests.xapi.statements import IP_ACTIVITY

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "onet_29_0_sample"
RIASEC_BY_NAME = {
    "Realistic": "R",
    "Investigative": "I",
    "Artistic": "A",
    "Social": "S",
    "Enterprising": "E",
    "Conventional": "C",
}
IP_DEFINITION = b'{"instrument": "O*NET Interest Profiler Short Form", "items": 60, "version": "2.0"}'
IP_SHA256 = hashlib.sha256(IP_DEFINITION).hexdigest()


def _rows(name: str, folder: Path = SAMPLE) -> list[list[str]]:
    with open(folder / name, encoding="utf-8-sig") as handle:
        next(handle)
        return [line.rstrip("\n").split("\t") for line in handle if line.strip()]


def seed_reference(conn, folder: Path = SAMPLE) -> int:
    """An O*NET text release's occupations with job zones and OI interest scores (default: the committed
    sample) into the current (placeholder) release."""
    schema = conn.execute("SELECT schema_name FROM onet_releases WHERE status = 'current'").fetchone()[
        "schema_name"
    ]
    release = conn.execute("SELECT release FROM onet_releases WHERE status = 'current'").fetchone()["release"]
    zones = {r[0]: int(r[1]) for r in _rows("Job Zones.txt", folder)}
    occupations = _rows("Occupation Data.txt", folder)
    with conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {schema}.occupations (onet_code, soc_code, title, soc_major_group, job_zone) "
            "VALUES (%s, %s, %s, %s, %s)",
            [(r[0], r[0][:7], r[1], r[0][:2], zones.get(r[0])) for r in occupations],
        )
        cur.executemany(
            "INSERT INTO occupation_codes (onet_code, title, first_release, last_release) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [(r[0], r[1], release, release) for r in occupations],
        )
        cur.executemany(
            f"INSERT INTO {schema}.occupation_interests (onet_code, element_id, riasec, scale_id, score) "
            "VALUES (%s, %s, %s, %s, %s)",
            [
                (r[0], r[1], RIASEC_BY_NAME[r[2]], r[3], float(r[4]))
                for r in _rows("Interests.txt", folder)
                if r[3] == "OI"
            ],
        )
    return len(occupations)


@pytest.fixture
def xapi_db(fresh_db_url, kms_stack):
    """A fresh database with reference rows, partners and the Interest Profiler 2.0 registered."""
    with psycopg.connect(fresh_db_url, row_factory=dict_row, autocommit=True) as conn:
        seed_reference(conn)
        conn.execute(
            "INSERT INTO partner_tenancy (partner_code, name) VALUES ('acme-careers', 'Acme Careers'), "
            "('other-org', 'Other Org')"
        )
        conn.execute(
            "INSERT INTO assessment_instruments (instrument_iri, version, sha256, assessment_type) "
            "VALUES (%s, '2.0', %s, 'interest_profiler')",
            (IP_ACTIVITY, IP_SHA256),
        )
    return fresh_db_url


@pytest.fixture
def db_env(xapi_db, monkeypatch):
    """Code under test that opens its own connections (handlers, intake service) finds xapi_db."""
    from skillforge.config import get_settings
    from skillforge.xapi.service import clear_caches

    monkeypatch.setenv("DATABASE_URL", xapi_db)
    get_settings.cache_clear()
    clear_caches()
    yield xapi_db
    get_settings.cache_clear()
    clear_caches()


@pytest.fixture
def app_conn(xapi_db):
    from skillforge.db import connect

    with connect(xapi_db, tenant="*") as conn:
        yield conn


def create_user(
    url: str, *, email: str, partner_code: str | None = None, external_ref: str | None = None
) -> str:
    with psycopg.connect(url, row_factory=dict_row, autocommit=True) as conn:
        return str(
            conn.execute(
                "INSERT INTO users (partner_code, external_ref, external_ref_hash, email_ciphertext, email_hash, "
                "email) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                (
                    partner_code,
                    external_ref,
                    pii.blind_index(external_ref, kind="external_ref") if external_ref else None,
                    pii.encrypt(email, key="pii_user", table="users", column="email"),
                    pii.blind_index(email),
                    pii.mask_email(email),
                ),
            ).fetchone()["id"]
        )
