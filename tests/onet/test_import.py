"""Importing into a real PostgreSQL: publish, idempotence, failures that leave the current release untouched,
changelog, rollback, point-in-time schemas, the application role, and readers during a swap."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
import pytest
from psycopg.rows import dict_row

from skillforge.onet.importer import import_release
from skillforge.onet.normalise import SOC_MAJOR_GROUPS
from skillforge.onet.releases import ReleaseError, list_releases, prune, rollback
from tests.onet.helpers import (
    SAMPLE,
    copy_sample,
    find_line,
    lines,
    make_zip,
    set_field,
    set_rating,
    write_lines,
)

NO_JAAT = None  # curated overrides are tested separately; these tests use the generated records only


def q(url: str, query: str, params=None):
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(query, params).fetchall()


def snapshot(url: str) -> dict:
    """What readers of the current release see, to compare before/after a failed import."""
    return {
        "releases": q(
            url,
            "SELECT release, status::text, fingerprint, made_current_at FROM onet_releases "
            "WHERE status <> 'failed' ORDER BY release",
        ),
        "occupations": q(url, "SELECT onet_code, title, wage_median FROM occupations ORDER BY onet_code"),
        "ratings": q(url, "SELECT count(*) AS n, sum(importance) AS s FROM occupation_skills")[0],
        "codes": q(url, "SELECT * FROM occupation_codes ORDER BY onet_code"),
        "schemas": q(url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'onet_%' ORDER BY 1"),
    }


def test_sample_import_publishes_the_release(fresh_db_url: str):
    result = import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "published", result.report.to_dict()
    assert result.release == "29.0" and result.schema == "onet_r29_0"
    occupations = q(fresh_db_url, "SELECT * FROM occupations")
    assert len(occupations) == 60
    assert {o["soc_major_group"] for o in occupations} == set(SOC_MAJOR_GROUPS)
    assert all(o["family"] == SOC_MAJOR_GROUPS[o["soc_major_group"]] for o in occupations)
    rn = next(o for o in occupations if o["onet_code"] == "29-1141.00")
    assert (
        rn["soc_code"] == "29-1141" and rn["soc_minor_group"] == "29-1" and rn["soc_broad_group"] == "29-114"
    )
    assert rn["soc_minor_title"] and rn["soc_broad_title"] == "Registered Nurses"
    assert rn["wage_p10"] < rn["wage_median"] < rn["wage_p90"] and rn["wage_hourly_median"] > 7.25
    assert rn["annual_openings"] > 100_000 and rn["outlook_percent"] is not None
    zone_line = find_line(SAMPLE, "Job Zones.txt", "29-1141.00")
    assert rn["job_zone"] == int(lines(SAMPLE, "Job Zones.txt")[zone_line - 1].split("\t")[1])
    assert rn["entry_education"] == "Bachelor's degree" and rn["education_level"] and rn["education_category"]
    assert rn["search_vector"] is not None
    sw = next(o for o in occupations if o["onet_code"] == "15-1299.08")
    assert sw["soc_minor_group"] == "15-12"  # SOC 2018 minor group 15-1200 Computer Occupations
    releases = {r["release"]: r for r in list_releases(fresh_db_url)}
    assert releases["29.0"]["status"] == "current" and releases["0.0"]["status"] == "retired"
    codes = q(fresh_db_url, "SELECT * FROM occupation_codes")
    assert len(codes) == 60 and {(c["first_release"], c["last_release"]) for c in codes} == {("29.0", "29.0")}
    # every table the contract lists is a view with rows
    for view in (
        "skills",
        "occupation_skills",
        "knowledge",
        "occupation_knowledge",
        "occupation_titles",
        "skill_aliases",
        "occupation_tasks",
        "related_occupations",
        "occupation_interests",
        "occupation_technology_skills",
        "occupation_education",
        "occupation_jaat",
        "jaat_to_onet",
        "skill_clusters",
        "soc_groups",
        "content_model",
        "scales",
        "job_zone_reference",
    ):
        assert q(fresh_db_url, f"SELECT count(*) AS n FROM {view}")[0]["n"] > 0, view
    titles = q(fresh_db_url, "SELECT title_type, count(*) AS n FROM occupation_titles GROUP BY 1")
    assert {t["title_type"] for t in titles} == {"official", "alternate", "short", "reported"}


def test_skills_categories_difficulty_and_suppression(fresh_db_url: str):
    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    categories = {
        r["category"]: r["n"]
        for r in q(fresh_db_url, "SELECT category, count(*) AS n FROM skills GROUP BY 1")
    }
    assert (
        categories["basic"] == 10 and categories["cross_functional"] == 25 and categories["technical"] > 1000
    )
    onet = q(fresh_db_url, "SELECT difficulty FROM skills WHERE category <> 'technical'")
    assert {r["difficulty"] for r in onet} == {1, 2, 3, 4, 5}
    assert q(fresh_db_url, "SELECT count(*) AS n FROM skills WHERE difficulty IS NULL")[0]["n"] == 0
    assert (
        q(fresh_db_url, "SELECT cluster FROM skills WHERE element_id = '2.B.1.a'")[0]["cluster"]
        == "Social Skills"
    )
    py = q(fresh_db_url, "SELECT * FROM skills WHERE element_id = 'TECH-python'")[0]
    assert py["cluster"] == "Object or component oriented development software" and py["hot_technology"]
    # suppressed / not-relevant values are kept raw but never used for matching
    flagged = q(
        fresh_db_url,
        """SELECT importance, level, recommend_suppress, not_relevant, use_for_matching
                                 FROM occupation_skills WHERE recommend_suppress OR not_relevant""",
    )
    assert flagged and all(not r["use_for_matching"] and r["importance"] is not None for r in flagged)
    assert (
        q(
            fresh_db_url,
            "SELECT count(*) AS n FROM occupation_skills WHERE NOT use_for_matching "
            "AND NOT (recommend_suppress OR not_relevant)",
        )[0]["n"]
        == 0
    )


def test_python_programming_resolves_to_the_technology_skill(fresh_db_url: str):
    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)

    def resolve(text: str) -> list[str]:
        return [
            r["element_id"]
            for r in q(
                fresh_db_url,
                """SELECT element_id FROM skill_aliases
                 WHERE alias_normalized = sf_skill_key(%s) ORDER BY weight DESC, element_id""",
                (text,),
            )
        ]

    assert resolve("Python Programming")[0] == "TECH-python"
    assert resolve("python programming language")[0] == "TECH-python"
    assert resolve("Excel")[0] == "TECH-microsoft-excel"
    assert resolve("Programming") == ["2.B.3.e"]  # a name made of a generic word keeps it
    assert resolve("critical thinking") == ["2.A.2.a"]


def test_second_import_of_identical_input_changes_nothing(fresh_db_url: str):
    first = import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    before = snapshot(fresh_db_url)
    second = import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    assert second.outcome == "unchanged" and second.ok
    assert second.fingerprint == first.fingerprint and "nothing changed" in second.message
    assert snapshot(fresh_db_url) == before
    runs = q(fresh_db_url, "SELECT outcome FROM onet_import_runs ORDER BY id")
    assert [r["outcome"] for r in runs] == ["published", "unchanged"]


def _truncate(folder: Path) -> tuple:
    line = find_line(folder, "Knowledge.txt", "29-1141.00", "2.C.1.a")
    content = lines(folder, "Knowledge.txt")
    content[line - 1] = content[line - 1].split("\t", 3)[0]
    write_lines(folder, "Knowledge.txt", content)
    return ("Knowledge.txt", line, "row.truncated")


def _wrong_header(folder: Path) -> tuple:
    content = lines(folder, "Task Statements.txt")
    content[0] = content[0].replace("Task ID", "TaskID")
    write_lines(folder, "Task Statements.txt", content)
    return ("Task Statements.txt", 1, "header.mismatch")


def _out_of_range(folder: Path) -> tuple:
    line = find_line(folder, "Skills.txt", "47-2111.00", "2.B.3.l", "Repairing", "LV")
    set_field(folder, "Skills.txt", line, "Data Value", "8.25")
    return ("Skills.txt", line, "range.scale")


def _unknown_code(folder: Path) -> tuple:
    line = find_line(folder, "Related Occupations.txt", "29-1141.00")
    set_field(folder, "Related Occupations.txt", line, "Related O*NET-SOC Code", "29-9999.00")
    return ("Related Occupations.txt", line, "ref.onet_code")


def _non_utf8(folder: Path) -> tuple:
    data = (folder / "Alternate Titles.txt").read_bytes()
    (folder / "Alternate Titles.txt").write_bytes(data.replace(b"Agency Owner", b"Agency Own\xe9r", 1))
    line = data[: data.index(b"Agency Owner")].count(b"\n") + 1
    return ("Alternate Titles.txt", line, "encoding.utf8")


def _bad_wages(folder: Path) -> tuple:
    path = folder / "bls" / "oews_national_may2025.csv"
    text = path.read_text(encoding="utf-8").split("\n")
    i = next(i for i, t in enumerate(text) if t.startswith("29-1141,"))
    cells = text[i].split(",")
    header = text[0].split(",")
    cells[header.index("A_PCT90")] = "1000"
    text[i] = ",".join(cells)
    path.write_text("\n".join(text), encoding="utf-8")
    return ("oews_national_may2025.csv", i + 1, "wage.order")


@pytest.mark.parametrize(
    "defect",
    [_truncate, _wrong_header, _out_of_range, _unknown_code, _non_utf8, _bad_wages],
    ids=lambda f: f.__name__.strip("_"),
)
def test_bad_input_is_reported_and_the_current_release_is_untouched(
    fresh_db_url: str, tmp_path: Path, defect
):
    assert import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT).outcome == "published"
    before = snapshot(fresh_db_url)
    folder = copy_sample(tmp_path / "bad")
    (folder / "Read Me.txt").write_text((folder / "Read Me.txt").read_text().replace("29.0", "29.1"))
    file, line, rule = defect(folder)
    result = import_release(folder, url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "failed" and not result.ok
    assert any((p.file, p.line, p.rule) == (file, line, rule) for p in result.report.errors()), [
        str(p) for p in result.report.errors()
    ]
    assert snapshot(fresh_db_url) == before
    failed = q(fresh_db_url, "SELECT status::text, report FROM onet_releases WHERE release = '29.1'")[0]
    assert failed["status"] == "failed" and failed["report"]["validation"]["errors"] >= 1


def test_zip_missing_a_required_file_leaves_the_current_release(fresh_db_url: str, tmp_path: Path):
    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    before = snapshot(fresh_db_url)
    folder = copy_sample(tmp_path / "r")
    archive = make_zip(folder, tmp_path / "db_29_0_text.zip", skip={"Occupation Data.txt"})
    result = import_release(archive, release="29.1", url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "failed"
    assert ("Occupation Data.txt", None, "file.missing") in {
        (p.file, p.line, p.rule) for p in result.report.errors()
    }
    assert snapshot(fresh_db_url) == before


def test_zip_source_imports(fresh_db_url: str, tmp_path: Path):
    folder = copy_sample(tmp_path / "r")
    archive = make_zip(folder, tmp_path / "db_29_0_text.zip")
    result = import_release(archive, bls=folder / "bls", url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "published" and result.row_counts["occupations"] == 60


def _next_release(tmp_path: Path) -> Path:
    """29.1: one occupation retitled, one removed, one rating changed."""
    folder = copy_sample(tmp_path / "r29_1")
    (folder / "Read Me.txt").write_text((folder / "Read Me.txt").read_text().replace("29.0", "29.1"))
    line = find_line(folder, "Occupation Data.txt", "53-3032.00")
    set_field(folder, "Occupation Data.txt", line, "Title", "Heavy Truck Drivers")
    for name in (
        "Occupation Data.txt",
        "Skills.txt",
        "Knowledge.txt",
        "Task Statements.txt",
        "Alternate Titles.txt",
        "Sample of Reported Titles.txt",
        "Job Zones.txt",
        "Education, Training, and Experience.txt",
        "Technology Skills.txt",
        "Interests.txt",
        "Work Values.txt",
        "Work Styles.txt",
        "Related Occupations.txt",
        "Tools Used.txt",
        "Emerging Tasks.txt",
    ):
        content = lines(folder, name)
        write_lines(folder, name, [c for c in content if "51-3011.00" not in c])
    line = find_line(folder, "Skills.txt", "29-1141.00", "2.A.1.a", "Reading Comprehension", "IM")
    set_rating(folder, "Skills.txt", line, 2.0)
    return folder


def test_changelog_rollback_and_point_in_time(fresh_db_url: str, tmp_path: Path):
    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    result = import_release(_next_release(tmp_path), url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "published" and result.previous_release == "29.0"
    log = q(
        fresh_db_url,
        "SELECT change_type, onet_code, element_id, detail FROM release_changelog "
        "WHERE from_release = '29.0' AND to_release = '29.1'",
    )
    kinds = {(r["change_type"], r["onet_code"]) for r in log}
    assert ("occupation_removed", "51-3011.00") in kinds
    assert ("occupation_retitled", "53-3032.00") in kinds
    assert ("rating_changed", "29-1141.00") in kinds
    changed = next(r for r in log if r["change_type"] == "rating_changed")
    assert changed["element_id"] == "2.A.1.a" and float(changed["detail"]["importance"][1]) == 2.0
    assert len(log) == 3  # nothing else moved beyond the threshold
    assert (
        q(fresh_db_url, "SELECT title FROM occupations WHERE onet_code = '53-3032.00'")[0]["title"]
        == "Heavy Truck Drivers"
    )
    # the removed occupation stays in the stable registry, with the last release that had it
    code = q(fresh_db_url, "SELECT * FROM occupation_codes WHERE onet_code = '51-3011.00'")[0]
    assert (code["first_release"], code["last_release"]) == ("29.0", "29.0")
    # point in time: the retired release is still queryable in its own schema
    assert q(fresh_db_url, "SELECT count(*) AS n FROM onet_r29_0.occupations")[0]["n"] == 60
    assert q(fresh_db_url, "SELECT count(*) AS n FROM occupations")[0]["n"] == 59

    assert rollback(fresh_db_url) == {"from": "29.1", "to": "29.0"}
    assert q(fresh_db_url, "SELECT count(*) AS n FROM occupations")[0]["n"] == 60
    assert (
        q(fresh_db_url, "SELECT title FROM occupations WHERE onet_code = '53-3032.00'")[0]["title"]
        == "Heavy and Tractor-Trailer Truck Drivers"
    )
    statuses = {r["release"]: r["status"] for r in list_releases(fresh_db_url)}
    assert statuses == {"29.1": "retired", "29.0": "current", "0.0": "retired"}
    assert rollback(fresh_db_url, to="29.1")["to"] == "29.1"
    with pytest.raises(ReleaseError, match="already current"):
        rollback(fresh_db_url, to="29.1")
    with pytest.raises(ReleaseError, match="not registered"):
        rollback(fresh_db_url, to="12.0")
    # retention: keep one retired release (29.0); the placeholder's schema goes, its row stays
    assert prune(fresh_db_url, keep=1) == ["0.0"]
    retained = {r["release"]: r["retained"] for r in list_releases(fresh_db_url)}
    assert retained == {"29.1": True, "29.0": True, "0.0": False}
    with pytest.raises(ReleaseError, match="no longer retained"):
        rollback(fresh_db_url, to="0.0")
    assert prune(fresh_db_url, keep=1) == []


def test_shrinking_release_is_refused_unless_allowed(fresh_db_url: str, tmp_path: Path):
    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    folder = copy_sample(tmp_path / "small")
    (folder / "Read Me.txt").write_text((folder / "Read Me.txt").read_text().replace("29.0", "29.1"))
    keep = {line.split("\t")[0] for line in lines(folder, "Occupation Data.txt")[1:30]}
    for path in folder.glob("*.txt"):
        content = lines(folder, path.name)
        if content[0].startswith("O*NET-SOC Code"):
            write_lines(
                folder,
                path.name,
                [content[0]]
                + [
                    c
                    for c in content[1:]
                    if c.split("\t")[0] in keep
                    and (path.name != "Related Occupations.txt" or c.split("\t")[1] in keep)
                ],
            )
    result = import_release(folder, url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "failed"
    error = result.report.find(rule="completeness.occupations")[0]
    assert error.severity == "error" and "29 occupations against 60" in error.message
    assert (
        import_release(folder, url=fresh_db_url, jaat_dir=NO_JAAT, allow_shrink=True).outcome == "published"
    )


def test_abilities_and_work_context_fixtures_load(fresh_db_url: str, tmp_path: Path):
    folder = copy_sample(tmp_path / "full", with_fixtures=True)
    result = import_release(folder, url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "published"
    assert result.row_counts["occupation_abilities"] == 12 and result.row_counts["abilities"] == 4
    rows = q(
        fresh_db_url,
        "SELECT * FROM occupation_abilities WHERE onet_code = '15-1252.00' AND element_id = '1.A.1.a.1'",
    )
    assert rows[0]["importance"] == 1 and rows[0]["not_relevant"] and not rows[0]["use_for_matching"]
    context = q(
        fresh_db_url, "SELECT scale_id, count(*) AS n FROM occupation_work_context GROUP BY 1 ORDER BY 1"
    )
    assert [(r["scale_id"], r["n"]) for r in context] == [("CX", 9), ("CXP", 45)]


def test_application_role_reads_current_and_retained_releases(fresh_db_url: str):
    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    with psycopg.connect(fresh_db_url, row_factory=dict_row) as conn:
        conn.execute("SET ROLE skillforge_app")
        assert conn.execute("SELECT count(*) AS n FROM occupations").fetchone()["n"] == 60
        assert conn.execute("SELECT count(*) AS n FROM onet_r29_0.occupation_skills").fetchone()["n"] > 0
        assert conn.execute("SELECT count(*) AS n FROM jaat_to_onet").fetchone()["n"] == 60
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM onet_r29_0.occupations")


def test_readers_never_see_a_partial_release(fresh_db_url: str, tmp_path: Path):
    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    nxt = _next_release(tmp_path)
    seen, errors, stop = set(), [], threading.Event()

    def reader():
        with psycopg.connect(fresh_db_url, autocommit=True) as conn:
            conn.execute("SET ROLE skillforge_app")
            while not stop.is_set():
                try:
                    seen.add(
                        conn.execute("""SELECT (SELECT count(*) FROM occupations),
                            (SELECT count(*) FROM occupation_titles WHERE title_type = 'official'),
                            (SELECT count(DISTINCT onet_code) FROM occupation_jaat)""").fetchone()
                    )
                except psycopg.Error as exc:  # pragma: no cover - the assertion below reports it
                    errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    result = import_release(nxt, url=fresh_db_url, jaat_dir=NO_JAAT)
    time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join()
    assert result.outcome == "published"
    assert not errors
    assert seen == {(60, 60, 60), (59, 59, 59)}


def test_publish_waits_for_a_long_reader_and_retries(fresh_db_url: str, tmp_path: Path, monkeypatch):
    from skillforge.onet import load

    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    monkeypatch.setattr(load, "PUBLISH_LOCK_TIMEOUT", "100ms")
    messages: list[str] = []
    reader = psycopg.connect(fresh_db_url)
    reader.execute("SELECT count(*) FROM occupations")  # an open transaction holds the view

    def finish_reading():  # keep the view locked until the importer had to retry once
        deadline = time.monotonic() + 30
        while not any("retry" in m for m in messages) and time.monotonic() < deadline:
            time.sleep(0.02)
        reader.rollback()

    thread = threading.Thread(target=finish_reading)
    thread.start()
    result = import_release(
        _next_release(tmp_path), url=fresh_db_url, jaat_dir=NO_JAAT, progress=messages.append
    )
    thread.join()
    reader.close()
    assert result.outcome == "published", result.message
    assert any("retry" in m for m in messages)
    assert q(fresh_db_url, "SELECT count(*) AS n FROM occupations")[0]["n"] == 59


def test_corrected_release_keeps_its_changelog_against_the_previous_release(
    fresh_db_url: str, tmp_path: Path
):
    """Re-importing a corrected 29.1 while 29.1 is current compares it with 29.0 again, not with its own first
    version (which would lose the 29.0 -> 29.1 changes)."""
    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    folder = _release_29_1(tmp_path)
    assert import_release(folder, url=fresh_db_url, jaat_dir=NO_JAAT).changelog == {"occupation_retitled": 1}
    line = find_line(folder, "Skills.txt", "29-1141.00", "2.A.1.a", "Reading Comprehension", "IM")
    set_rating(folder, "Skills.txt", line, 2.0)  # the correction
    result = import_release(folder, url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "published" and result.changelog == {
        "occupation_retitled": 1,
        "rating_changed": 1,
    }
    log = q(
        fresh_db_url,
        "SELECT from_release, change_type, onet_code FROM release_changelog "
        "WHERE to_release = '29.1' ORDER BY change_type",
    )
    assert [(r["from_release"], r["change_type"], r["onet_code"]) for r in log] == [
        ("29.0", "occupation_retitled", "53-3032.00"),
        ("29.0", "rating_changed", "29-1141.00"),
    ]
    assert q(fresh_db_url, "SELECT count(*) AS n FROM onet_r29_0.occupations")[0]["n"] == 60  # still retained


def _release_29_1(tmp_path: Path) -> Path:
    """29.1: the sample with one occupation retitled."""
    folder = copy_sample(tmp_path / "r29_1")
    (folder / "Read Me.txt").write_text((folder / "Read Me.txt").read_text().replace("29.0", "29.1"))
    set_field(
        folder,
        "Occupation Data.txt",
        find_line(folder, "Occupation Data.txt", "53-3032.00"),
        "Title",
        "Heavy Truck Drivers",
    )
    return folder


def _staging_schemas(url: str) -> list:
    return q(
        url,
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'onet\\_load\\_%' OR nspname LIKE 'onet\\_old\\_%'",
    )


def test_failed_quality_check_leaves_the_current_release(fresh_db_url: str, tmp_path: Path, monkeypatch):
    from skillforge.onet import load

    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    before = snapshot(fresh_db_url)
    monkeypatch.setattr(
        load,
        "QUALITY_CHECKS",
        load.QUALITY_CHECKS
        + [
            (
                "titles.not_renamed",
                "SELECT count(*) > 0 FROM {s}.occupations WHERE title = 'Heavy Truck Drivers'",
                "an occupation was renamed",
            )
        ],
    )
    result = import_release(_release_29_1(tmp_path), url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "failed" and "quality checks failed" in result.message
    assert [(p.file, p.rule) for p in result.report.errors()] == [
        ("(database)", "quality.titles.not_renamed")
    ]
    assert snapshot(fresh_db_url) == before and _staging_schemas(fresh_db_url) == []
    assert (
        q(fresh_db_url, "SELECT status::text FROM onet_releases WHERE release = '29.1'")[0]["status"]
        == "failed"
    )


def test_unexpected_error_is_recorded_and_leaves_the_current_release(
    fresh_db_url: str, tmp_path: Path, monkeypatch
):
    from skillforge.onet import importer, load

    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    before = snapshot(fresh_db_url)

    def broken_checks(conn, schema, expected):  # fails after the COPY, inside the load transaction
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(load, "quality_checks", broken_checks)
    with pytest.raises(RuntimeError, match="disk on fire"):
        importer.import_release(_release_29_1(tmp_path), url=fresh_db_url, jaat_dir=NO_JAAT)
    assert snapshot(fresh_db_url) == before and _staging_schemas(fresh_db_url) == []
    run = q(fresh_db_url, "SELECT outcome, report FROM onet_import_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["outcome"] == "failed" and "disk on fire" in run["report"]["message"]
    assert (
        q(fresh_db_url, "SELECT status::text FROM onet_releases WHERE release = '29.1'")[0]["status"]
        == "failed"
    )


def test_concurrent_import_is_refused(fresh_db_url: str):
    from skillforge.onet import load

    with psycopg.connect(fresh_db_url, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (load.IMPORT_LOCK_KEY,))
        result = import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "failed"
    assert [p.rule for p in result.report.errors()] == ["import.concurrent"]
    assert (
        q(fresh_db_url, "SELECT release FROM onet_releases WHERE status = 'current'")[0]["release"] == "0.0"
    )


def test_an_upgraded_importer_reloads_identical_input(fresh_db_url: str, monkeypatch):
    from skillforge.onet import importer

    first = import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    code = importer.importer_code()
    assert "importer/normalise.py" in code and "importer/0003_reference.py" in code
    monkeypatch.setattr(importer, "importer_code", lambda: {**code, "importer/normalise.py": b"# changed"})
    second = import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    assert second.outcome == "published" and second.fingerprint != first.fingerprint
    assert import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT).outcome == "unchanged"


def test_default_rollback_never_empties_the_reference_layer(fresh_db_url: str):
    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    with pytest.raises(ReleaseError, match="no retained previous release"):
        rollback(fresh_db_url)  # the only earlier release is the empty placeholder
    assert q(fresh_db_url, "SELECT count(*) AS n FROM occupations")[0]["n"] == 60
    assert rollback(fresh_db_url, to="0.0") == {"from": "29.0", "to": "0.0"}  # explicit: allowed
    assert q(fresh_db_url, "SELECT count(*) AS n FROM occupations")[0]["n"] == 0


def test_a_file_cut_at_a_line_boundary_is_caught_by_completeness(fresh_db_url: str, tmp_path: Path):
    """Half of Skills.txt (whole IM/LV pairs, so every row is valid) is a suspect release, not a smaller one."""
    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    before = snapshot(fresh_db_url)
    folder = _release_29_1(tmp_path)
    content = lines(folder, "Skills.txt")
    keep = 1 + ((len(content) - 1) // 4) * 2  # the header and the first half of the rows, an even count
    write_lines(folder, "Skills.txt", content[:keep] + [""])
    result = import_release(folder, url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "failed", result.message
    assert [(p.file, p.column, p.rule) for p in result.report.errors()] == [
        ("(release)", "occupation_skills", "completeness.rows")
    ]
    assert snapshot(fresh_db_url) == before
    allowed = import_release(folder, url=fresh_db_url, jaat_dir=NO_JAAT, allow_shrink=True)
    assert allowed.outcome == "published"
    assert [p.rule for p in allowed.report.warnings() if p.column == "occupation_skills"] == [
        "completeness.rows"
    ]


def test_database_error_during_the_load_is_reported_and_rolled_back(
    fresh_db_url: str, tmp_path: Path, monkeypatch
):
    from skillforge.onet import load

    import_release(SAMPLE, url=fresh_db_url, jaat_dir=NO_JAAT)
    before = snapshot(fresh_db_url)
    real_post_load = load.post_load

    def duplicate_an_occupation(conn, schema):  # the primary key built after the load must refuse it
        real_post_load(conn, schema)
        conn.execute(f'INSERT INTO "{schema}".occupations SELECT * FROM "{schema}".occupations LIMIT 1')

    monkeypatch.setattr(load, "post_load", duplicate_an_occupation)
    result = import_release(_release_29_1(tmp_path), url=fresh_db_url, jaat_dir=NO_JAAT)
    assert result.outcome == "failed" and "loading failed" in result.message
    problem = result.report.errors()[0]
    assert (problem.file, problem.rule) == (
        "(database)",
        "load.database",
    ) and "is duplicated" in problem.message
    assert snapshot(fresh_db_url) == before and _staging_schemas(fresh_db_url) == []
