"""Stand-in loader for the API tests until `skillforge.onet` can import a release: reads an O*NET text
folder into a release schema built by migration 0003's own functions (same tables, indexes, publish).

Only the columns the API reads are filled. The API tests prefer the real importer when it is installed.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import psycopg


def _rows(folder: Path, name: str):
    path = folder / name
    if not path.exists():
        path = folder / "fixtures" / name
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "x"


def load_release(url: str, folder: Path, release: str = "29.0") -> None:
    schema = "onet_r" + release.replace(".", "_")
    occ = _rows(folder, "Occupation Data.txt")
    zones = {r["O*NET-SOC Code"]: int(r["Job Zone"]) for r in _rows(folder, "Job Zones.txt")}
    with psycopg.connect(url, autocommit=False) as conn:
        conn.execute("SELECT sf_onet_create_tables(%s)", (schema,))
        t = lambda name: f'"{schema}".{name}'
        ratings: dict[str, dict] = {}
        for table, fname in (("skills", "Skills.txt"), ("knowledge", "Knowledge.txt"), ("abilities", "Abilities.txt")):
            elements, values = {}, defaultdict(dict)
            for r in _rows(folder, fname):
                elements[r["Element ID"]] = r["Element Name"]
                key = (r["O*NET-SOC Code"], r["Element ID"])
                values[key][r["Scale ID"]] = float(r["Data Value"])
                values[key]["suppress"] = values[key].get("suppress", False) or r["Recommend Suppress"] == "Y"
            category = {"skills": lambda e: "basic" if e.startswith("2.A") else "cross_functional"}.get(
                table, lambda e: None)
            with conn.cursor().copy(f"COPY {t(table)} (element_id, name, category) FROM STDIN") as cp:
                for e, n in elements.items():
                    cp.write_row((e, n, category(e)))
            with conn.cursor().copy(f"COPY {t('occupation_' + table)} (onet_code, element_id, importance, level, "
                                    "recommend_suppress) FROM STDIN") as cp:
                for (c, e), v in values.items():
                    cp.write_row((c, e, v.get("IM"), v.get("LV"), v["suppress"]))
                    ratings[c] = True
            with conn.cursor().copy(f"COPY {t('skill_aliases')} (alias, element_id, source, weight) FROM STDIN") as cp:
                for e, n in elements.items():
                    cp.write_row((n, e, "name", 1.0))
        tech = {}
        with conn.cursor().copy(f"COPY {t('occupation_technology_skills')} (onet_code, element_id, example, "
                                "commodity_code, commodity_title, hot_technology, in_demand) FROM STDIN") as cp:
            seen = set()
            for r in _rows(folder, "Technology Skills.txt"):
                e = "TECH-" + _slug(r["Example"])
                if (r["O*NET-SOC Code"], e, r["Example"]) in seen:
                    continue
                seen.add((r["O*NET-SOC Code"], e, r["Example"]))
                tech[e] = (r["Example"], r["Commodity Title"])
                cp.write_row((r["O*NET-SOC Code"], e, r["Example"], r["Commodity Code"], r["Commodity Title"],
                              r["Hot Technology"] == "Y", r["In Demand"] == "Y"))
        with conn.cursor().copy(f"COPY {t('skills')} (element_id, name, category, cluster) FROM STDIN") as cp:
            for e, (name, cluster) in tech.items():
                cp.write_row((e, name, "technical", cluster))
        with conn.cursor().copy(f"COPY {t('skill_aliases')} (alias, element_id, source, weight) FROM STDIN") as cp:
            for e, (name, _cluster) in tech.items():
                cp.write_row((name, e, "technology_example", 0.95))
        with conn.cursor().copy(f"COPY {t('occupations')} (onet_code, soc_code, title, description, job_zone, "
                                "soc_major_group, has_ratings) FROM STDIN") as cp:
            for r in occ:
                c = r["O*NET-SOC Code"]
                cp.write_row((c, c[:7], r["Title"], r["Description"], zones.get(c), c[:2], c in ratings))
        conn.execute(f"UPDATE {t('occupations')} SET search_vector = to_tsvector('english', title || ' ' || "
                     "coalesce(description, ''))")
        with conn.cursor().copy(f"COPY {t('occupation_titles')} (onet_code, title, title_type) FROM STDIN") as cp:
            for r in occ:
                cp.write_row((r["O*NET-SOC Code"], r["Title"], "official"))
            for r in _rows(folder, "Alternate Titles.txt"):
                cp.write_row((r["O*NET-SOC Code"], r["Alternate Title"], "alternate"))
                if r["Short Title"] not in ("n/a", ""):
                    cp.write_row((r["O*NET-SOC Code"], r["Short Title"], "short"))
            for r in _rows(folder, "Sample of Reported Titles.txt"):
                cp.write_row((r["O*NET-SOC Code"], r["Reported Job Title"], "reported"))
        with conn.cursor().copy(f"COPY {t('occupation_tasks')} (onet_code, task_id, task, task_type, "
                                "incumbents_responding) FROM STDIN") as cp:
            for r in _rows(folder, "Task Statements.txt"):
                n = r["Incumbents Responding"]
                cp.write_row((r["O*NET-SOC Code"], int(r["Task ID"]), r["Task"],
                              None if r["Task Type"] == "n/a" else r["Task Type"], int(n) if n.isdigit() else None))
        codes = {r["O*NET-SOC Code"] for r in occ}
        with conn.cursor().copy(f"COPY {t('related_occupations')} (onet_code, related_onet_code, tier, rank) "
                                "FROM STDIN") as cp:
            for r in _rows(folder, "Related Occupations.txt"):
                if r["O*NET-SOC Code"] in codes and r["Related O*NET-SOC Code"] in codes:
                    cp.write_row((r["O*NET-SOC Code"], r["Related O*NET-SOC Code"], r["Relatedness Tier"],
                                  int(r["Index"])))
        conn.execute("SELECT sf_onet_build_indexes(%s)", (schema,))
        conn.execute("INSERT INTO onet_releases (release, schema_name, status, source, fingerprint, loaded_at) "
                     "VALUES (%s, %s, 'validated', %s, %s, now())", (release, schema, str(folder), f"test-{release}"))
        conn.execute("SELECT sf_onet_publish(%s)", (release,))
        conn.commit()
        conn.execute("ANALYZE")
