"""`skillforge xapi validate [FILE|-]` as DESIGN.md specifies it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from skillforge.cli import app
from tests.xapi.statements import full, minimal, mutate

runner = CliRunner()


def run(args, stdin=None):
    result = runner.invoke(app, ["xapi", "validate", *args], input=stdin)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result, lines


def test_single_statement_from_stdin_valid():
    result, lines = run(["-", "--json"], json.dumps(full()))
    assert result.exit_code == 0
    assert lines == [{"index": 0, "valid": True, "errors": []}]


def test_array_with_an_invalid_statement_exits_1(tmp_path):
    bad = mutate(minimal(), lambda s: s["actor"].update(mbox="learner@example.com"))
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([minimal(), bad, full()]))
    result, lines = run([str(path), "--json"])
    assert result.exit_code == 1
    assert [line["index"] for line in lines] == [0, 1, 2]
    assert [line["valid"] for line in lines] == [True, False, True]
    assert lines[1]["errors"] == [
        {"path": "$.actor.mbox", "rule": "mbox", "message": lines[1]["errors"][0]["message"]}
    ]


def test_json_lines(tmp_path):
    path = tmp_path / "statements.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in [minimal(), full(), {"actor": {}}]) + "\n\n")
    result, lines = run([str(path), "--json"])
    assert result.exit_code == 1
    assert [line["valid"] for line in lines] == [True, True, False]
    assert {"path": "$.verb", "rule": "required"} in [
        {k: e[k] for k in ("path", "rule")} for e in lines[2]["errors"]
    ]


def test_default_source_is_stdin_and_summary_goes_to_stderr():
    result = runner.invoke(app, ["xapi", "validate"], input=json.dumps(minimal()))
    assert result.exit_code == 0
    assert json.loads(result.stdout.splitlines()[0])["valid"] is True
    assert "1 valid, 0 invalid" in result.stderr


@pytest.mark.parametrize(
    "stdin, needle",
    [
        ("{not json", "malformed JSON"),
        ('{"a": 1}\n{"b": ', "line 2"),
        ('{"score": NaN}', "malformed JSON"),
        ("", "empty"),
        (
            '{"actor": {"mbox": "mailto:a@example.com", "mbox": "mailto:b@example.com"}}',
            "duplicate key 'mbox'",
        ),
        ('{"a": 1}\n{"id": "x", "id": "y"}', "line 2: malformed JSON: duplicate key 'id'"),
    ],
)
def test_unreadable_input_exits_2(stdin, needle):
    result, lines = run(["-"], stdin)
    assert result.exit_code == 2
    assert lines == []
    assert needle in result.stderr


def test_missing_file_exits_2(tmp_path):
    result, _ = run([str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_bom_is_tolerated(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes("\ufeff".encode() + json.dumps(minimal()).encode())
    result, lines = run([str(path)])
    assert result.exit_code == 0 and lines[0]["valid"]


def test_deeply_nested_json_is_unreadable_not_a_crash():
    result, _ = run(["-"], "[" * 200_000 + "]" * 200_000)
    assert result.exit_code == 2 and "nested too deeply" in result.stderr
