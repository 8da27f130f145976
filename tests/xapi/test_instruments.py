"""Instrument registration and the checksum rules, without and with the database."""

from __future__ import annotations

import hashlib
import json

import pytest
from typer.testing import CliRunner

from skillforge.xapi.instruments import Instrument, InstrumentError, Registry, register, retire
from skillforge.xapi.vocabulary import EXT_INSTRUMENT_SHA256, EXT_INSTRUMENT_VERSION
from tests.xapi.statements import IP_ACTIVITY, interest_profiler, voiding

SHA = hashlib.sha256(b"definition v2").hexdigest()
REGISTRY = Registry(
    [
        Instrument("00000000-0000-4000-8000-000000000001", IP_ACTIVITY, "2.0", SHA, "interest_profiler"),
        Instrument(
            "00000000-0000-4000-8000-000000000002",
            IP_ACTIVITY,
            "1.0",
            "1" * 64,
            "interest_profiler",
            retired=True,
        ),
    ]
)


def rules(statement):
    return [(e["path"], e["rule"]) for e in REGISTRY.check(statement)[1]]


def test_matching_version_and_checksum_pass():
    instrument, errors = REGISTRY.check(interest_profiler(checksum=SHA))
    assert errors == [] and instrument.version == "2.0"
    assert REGISTRY.check(interest_profiler(checksum=SHA.upper()))[1] == []


@pytest.mark.parametrize(
    "kwargs, path, rule",
    [
        ({"checksum": "0" * 64}, EXT_INSTRUMENT_SHA256, "instrument.checksum-mismatch"),
        (
            {"checksum": SHA, "instrument_version": "3.0"},
            EXT_INSTRUMENT_VERSION,
            "instrument.version-unknown",
        ),
        (
            {"checksum": "1" * 64, "instrument_version": "1.0"},
            EXT_INSTRUMENT_VERSION,
            "instrument.version-retired",
        ),
        ({"checksum": None}, EXT_INSTRUMENT_SHA256, "instrument.checksum-missing"),
    ],
)
def test_checksum_rules(kwargs, path, rule):
    assert rules(interest_profiler(**kwargs)) == [(f"$.context.extensions.{path}", rule)]


def test_missing_version_and_unknown_instrument():
    statement = interest_profiler(checksum=SHA)
    del statement["context"]["extensions"][EXT_INSTRUMENT_VERSION]
    assert rules(statement) == [
        (f"$.context.extensions.{EXT_INSTRUMENT_VERSION}", "instrument.version-missing")
    ]
    statement["object"]["id"] = "https://example.org/other-test"
    assert rules(statement) == [("$.object.id", "instrument.unknown")]
    assert rules(voiding()) == [("$.object", "instrument.not-activity")]


def test_mismatch_message_is_clear():
    (error,) = REGISTRY.check(interest_profiler(checksum="0" * 64))[1]
    assert "does not match the registered SHA-256" in error["message"] and "version 2.0" in error["message"]


def test_register_is_idempotent_and_refuses_a_changed_checksum(db_conn):
    first = register(
        db_conn,
        instrument_iri=IP_ACTIVITY,
        version="3.0",
        sha256=SHA.upper(),
        assessment_type="interest_profiler",
    )
    assert first.sha256 == SHA
    again = register(
        db_conn, instrument_iri=IP_ACTIVITY, version="3.0", sha256=SHA, assessment_type="interest_profiler"
    )
    assert again.id == first.id
    with pytest.raises(InstrumentError, match="different checksum"):
        register(
            db_conn,
            instrument_iri=IP_ACTIVITY,
            version="3.0",
            sha256="2" * 64,
            assessment_type="interest_profiler",
        )
    with pytest.raises(InstrumentError, match="assessment type"):
        register(db_conn, instrument_iri=IP_ACTIVITY, version="4.0", sha256=SHA, assessment_type="horoscope")
    assert retire(db_conn, instrument_iri=IP_ACTIVITY, version="3.0")
    assert Registry.load(db_conn).all()[-1].retired


def test_cli_register_from_file_and_list(fresh_db_url, tmp_path, monkeypatch):
    from skillforge.cli import app
    from skillforge.config import get_settings

    definition = tmp_path / "ip-2.0.json"
    definition.write_bytes(b'{"items": 60}')
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        out = runner.invoke(
            app,
            [
                "xapi",
                "instruments",
                "register",
                "--iri",
                IP_ACTIVITY,
                "--version",
                "2.0",
                "--type",
                "interest_profiler",
                "--file",
                str(definition),
                "--json",
            ],
        )
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout)["sha256"] == hashlib.sha256(b'{"items": 60}').hexdigest()
        listed = runner.invoke(app, ["xapi", "instruments", "list", "--json"])
        assert [i["version"] for i in json.loads(listed.stdout)] == ["2.0"]
        clash = runner.invoke(
            app,
            [
                "xapi",
                "instruments",
                "register",
                "--iri",
                IP_ACTIVITY,
                "--version",
                "2.0",
                "--type",
                "interest_profiler",
                "--sha256",
                "3" * 64,
            ],
        )
        assert clash.exit_code == 1 and "different checksum" in clash.stderr
    finally:
        get_settings.cache_clear()
