"""Read queries over one release's reference tables. Table names come from `Release.table()` (a checked
schema and a literal table name); every value is a bound parameter."""

from __future__ import annotations

from typing import Any

from skillforge.reference.connection import fetch_all, fetch_one
from skillforge.reference.releases import Release

ELEMENT_TABLES = {
    "skills": ("skills", "occupation_skills"),
    "knowledge": ("knowledge", "occupation_knowledge"),
    "abilities": ("abilities", "occupation_abilities"),
}


def occupation_exists(release: Release, onet_code: str) -> dict[str, Any] | None:
    return fetch_one(
        f"SELECT onet_code, title, job_zone FROM {release.table('occupations')} WHERE onet_code = %s",
        (onet_code,),
    )


def _elements_sql(release: Release, kind: str) -> str:
    names, ratings = ELEMENT_TABLES[kind]
    return (
        f"SELECT r.element_id, e.name, r.importance::float8 AS importance, r.level::float8 AS level, "
        f"e.category "
        f"FROM {release.table(ratings)} r JOIN {release.table(names)} e USING (element_id) "
        f"WHERE r.onet_code = %s ORDER BY r.importance DESC NULLS LAST, r.level DESC NULLS LAST, e.name"
    )


def elements(release: Release, onet_code: str, kind: str) -> list[dict[str, Any]]:
    return fetch_all(_elements_sql(release, kind), (onet_code,))


TASKS_ORDER = (
    "ORDER BY (t.task_type = 'Core') DESC NULLS LAST, t.incumbents_responding DESC NULLS LAST, t.task_id"
)


def tasks(release: Release, onet_code: str) -> list[dict[str, Any]]:
    return fetch_all(
        f"SELECT t.task_id::text AS task_id, t.task, t.task_type FROM {release.table('occupation_tasks')} t "
        f"WHERE t.onet_code = %s {TASKS_ORDER}",
        (onet_code,),
    )


def related(release: Release, onet_code: str) -> list[dict[str, Any]]:
    return fetch_all(
        f"SELECT r.related_onet_code AS onet_code, o.title, r.tier, r.rank::int AS rank "
        f"FROM {release.table('related_occupations')} r "
        f"JOIN {release.table('occupations')} o ON o.onet_code = r.related_onet_code "
        f"WHERE r.onet_code = %s ORDER BY r.rank NULLS LAST, o.title",
        (onet_code,),
    )


def occupation_detail(release: Release, onet_code: str) -> dict[str, Any] | None:
    """The whole profile in one round trip: PostgreSQL builds the nested lists as JSON."""
    t = release.table

    def agg(sql: str, order: str = "") -> str:
        return f"(SELECT coalesce(jsonb_agg(to_jsonb(x) {order}), '[]'::jsonb) FROM ({sql}) x)"

    element_lists = {
        kind: agg(_elements_sql(release, kind).replace("%s", "o.onet_code")) for kind in ELEMENT_TABLES
    }
    sql = f"""
    SELECT o.onet_code, o.title, o.description, o.soc_code, o.soc_major_group, o.soc_major_title, o.family,
           o.job_zone::int AS job_zone, o.education_level, o.education_category::int AS education_category,
           o.entry_education, o.work_experience, o.on_the_job_training,
           o.wage_median::float8 AS wage_median, o.wage_p10::float8 AS wage_p10, o.wage_p90::float8 AS wage_p90,
           o.wage_hourly_median::float8 AS wage_hourly_median, o.employment::int AS employment,
           o.annual_openings::int AS annual_openings, o.outlook_percent::float8 AS outlook_percent,
           j.record AS at_a_glance, j.provenance AS at_a_glance_provenance,
           (SELECT coalesce(array_agg(title ORDER BY title), '{{}}') FROM (
               SELECT DISTINCT title FROM {t("occupation_titles")}
               WHERE onet_code = o.onet_code AND title_type = 'alternate' ORDER BY title LIMIT 25) a)
             AS alternate_titles,
           {
        agg(
            f"SELECT t.task_id::text AS task_id, t.task, t.task_type FROM {t('occupation_tasks')} t "
            f"WHERE t.onet_code = o.onet_code {TASKS_ORDER}"
        )
    } AS tasks,
           {element_lists["skills"]} AS skills,
           {element_lists["knowledge"]} AS knowledge,
           {element_lists["abilities"]} AS abilities,
           {
        agg(
            f"SELECT ts.element_id, ts.example, ts.commodity_title, ts.hot_technology, ts.in_demand "
            f"FROM {t('occupation_technology_skills')} ts WHERE ts.onet_code = o.onet_code "
            f"ORDER BY ts.hot_technology DESC NULLS LAST, ts.in_demand DESC NULLS LAST, ts.example"
        )
    }
             AS technology_skills,
           {
        agg(
            f"SELECT i.element_id, i.riasec, i.score::float8 AS score FROM {t('occupation_interests')} i "
            f"WHERE i.onet_code = o.onet_code ORDER BY i.score DESC"
        )
    } AS interests,
           {
        agg(
            f"SELECT r.related_onet_code AS onet_code, ro.title, r.tier, r.rank::int AS rank "
            f"FROM {t('related_occupations')} r JOIN {t('occupations')} ro "
            f"ON ro.onet_code = r.related_onet_code WHERE r.onet_code = o.onet_code "
            f"ORDER BY r.rank NULLS LAST"
        )
    } AS related
    FROM {t("occupations")} o
    LEFT JOIN {t("occupation_jaat")} j ON j.onet_code = o.onet_code
    WHERE o.onet_code = %s"""
    row = fetch_one(sql, (onet_code,))
    if row is None:
        return None
    return {
        "onet_code": row["onet_code"],
        "title": row["title"],
        "release": release.release,
        "at_a_glance": row["at_a_glance"],
        "at_a_glance_provenance": row["at_a_glance_provenance"],
        "description": row["description"],
        "soc_code": row["soc_code"],
        "soc_major_group": row["soc_major_group"],
        "soc_major_title": row["soc_major_title"],
        "family": row["family"],
        "job_zone": row["job_zone"],
        "education": {
            "typical_level": row["education_level"],
            "category": row["education_category"],
            "entry_education": row["entry_education"],
            "work_experience": row["work_experience"],
            "on_the_job_training": row["on_the_job_training"],
        },
        "wages": {
            "annual_median": row["wage_median"],
            "annual_p10": row["wage_p10"],
            "annual_p90": row["wage_p90"],
            "hourly_median": row["wage_hourly_median"],
            "employment": row["employment"],
        },
        "outlook": {"annual_openings": row["annual_openings"], "outlook_percent": row["outlook_percent"]},
        "alternate_titles": list(row["alternate_titles"] or []),
        "tasks": row["tasks"],
        "skills": row["skills"],
        "knowledge": row["knowledge"],
        "abilities": row["abilities"],
        "technology_skills": row["technology_skills"],
        "interests": row["interests"],
        "related": row["related"],
    }


def skill_hierarchy(release: Release) -> list[dict[str, Any]]:
    """Skills by category (basic, cross-functional, technical by cluster) and knowledge as one tree."""
    return fetch_all(
        f"SELECT element_id, name, 'skill' AS kind, category, cluster FROM {release.table('skills')} "
        f"UNION ALL SELECT element_id, name, 'knowledge', category, cluster FROM {release.table('knowledge')} "
        f"ORDER BY kind, category NULLS LAST, cluster NULLS LAST, element_id"
    )


def active_learning_pathways() -> list[dict[str, Any]]:
    return fetch_all(
        "SELECT id::text AS id, pathway_key, title, target_onet_code, total_duration_weeks::float8 "
        "AS total_duration_weeks, certification, steps::text AS steps_text FROM learning_pathways "
        "WHERE status = 'active' ORDER BY target_onet_code, title"
    )
