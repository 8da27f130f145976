"""Statement intake: validate, store (encrypted, idempotent by id), void, and map to `assessments`.

One call handles a batch in one transaction:
1. every statement is validated (xAPI 1.0.3), gets an id if it has none, has its attachments' payloads
   checked (multipart) and, unless it is a voiding statement, its instrument version and checksum checked;
2. ids already stored are no-ops when the content is the same and conflicts (409) when it differs;
3. the learner is resolved from the actor (mbox -> the user's email blind index; account -> the user's
   `external_ref` in the provider's tenant); an unknown learner's statement and assessment are kept as
   `pending_user` and attached when the user arrives (trigger; `store.apply_pending*` repair);
4. interest-profiler results get occupation recommendations (correlation with O*NET Interests, by job
   zone), skills tests the career API's match; the best occupation gets its latest learning pathway;
5. voiding statements mark their target voided and withdraw its assessment (also when the target
   arrives after the voiding statement).

Validation lives in `validator`, signature checks in `signatures`, every SQL statement in `store`; this module
orchestrates. `atomic=True` (HTTP, LRS rule) writes nothing unless every statement is acceptable; `atomic=False` (SQS)
stores the acceptable ones and reports the others.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from skillforge.reference.codes import known_occupation_codes
from skillforge.xapi import store
from skillforge.xapi.comparison import content_hash
from skillforge.xapi.instruments import Instrument, Registry
from skillforge.xapi.recommendations import (
    InterestIndex,
    ProfileError,
    high_point_code,
    latest_pathways,
    normalise_profile,
)
from skillforge.xapi.signatures import signature_errors
from skillforge.xapi.timestamps import parse_duration, parse_timestamp
from skillforge.xapi.validator import VOIDED_VERB, error, validate_statement
from skillforge.xapi.vocabulary import COMPLETION_VERBS, EXT_JOB_ZONE, EXT_RIASEC, EXT_SKILLS, EXT_SUBSCORES

# The multipart attachment parts: {sha2: data}, or only their hashes (None: no multipart request).
Attachments = set[str] | Mapping[str, bytes] | None
OK_STATUSES = frozenset({"stored", "pending_user", "voided", "duplicate"})
RECOMMENDATION_LIMIT = 10
# (skills, job_zone, limit) -> ranked occupations [{"onet_code", "title", "match_score", "adjusted_score"}]
SkillsMatcher = Callable[[list, Any, int], list]


@dataclass
class Outcome:
    index: int
    statement_id: str | None = None
    # stored | pending_user | voided | duplicate (no-op) | invalid | conflict | not_stored (batch rolled back)
    status: str = "invalid"
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in OK_STATUSES

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "statement_id": self.statement_id,
            "status": self.status,
            "errors": self.errors,
        }


@dataclass
class IntakeResult:
    outcomes: list[Outcome]
    committed: bool

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    @property
    def ids(self) -> list[str | None]:
        return [o.statement_id for o in self.outcomes]

    @property
    def conflicts(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "conflict"]

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]


@dataclass
class _Prepared:
    index: int
    statement: dict
    statement_id: str
    content_sha256: str
    verb_id: str
    voids: str | None = None  # voiding statements: the target id
    instrument: Instrument | None = None
    email: str | None = None
    account_name: str | None = None
    actor_hash: bytes = b""
    scores: dict = field(default_factory=dict)
    profile: dict | None = None
    job_zone: int | None = None
    administered_at: datetime | None = None
    completed_at: datetime | None = None
    # decided during the database phase
    user_id: str | None = None
    voided_by: str | None = None
    recommendations: list[dict] = field(default_factory=list)
    recommended_onet_code: str | None = None
    recommended_pathway_id: str | None = None


class _Abort(Exception):
    """Rolls the batch's transaction back (atomic mode)."""


# -- preparation (no database) ------------------------------------------------------------------------
def _attachment_errors(statement: dict, attachment_hashes: Attachments) -> list[dict]:
    errors = []
    blocks = [("$.attachments", statement.get("attachments") or [])]
    obj = statement.get("object") or {}
    if obj.get("objectType") == "SubStatement":
        blocks.append(("$.object.attachments", obj.get("attachments") or []))
    for base, attachments in blocks:
        for i, attachment in enumerate(attachments):
            if "fileUrl" in attachment:
                continue
            sha2 = attachment["sha2"].lower()
            if attachment_hashes is None:
                errors.append(
                    error(
                        f"{base}[{i}].sha2",
                        "attachment.payload-missing",
                        "an attachment without fileUrl must be sent as a multipart/mixed part",
                    )
                )
            elif sha2 not in attachment_hashes:
                errors.append(
                    error(
                        f"{base}[{i}].sha2",
                        "attachment.payload-missing",
                        f"no multipart part has X-Experience-API-Hash {sha2}",
                    )
                )
    return errors


def _actor_identity(actor: dict) -> tuple[str | None, str | None, str | None]:
    """(email, account_name, error message) for an assessment's learner."""
    if actor.get("objectType") == "Group":
        return None, None, "an assessment belongs to one learner: the actor must be an Agent, not a Group"
    if "mbox" in actor:
        return actor["mbox"][len("mailto:") :], None, None
    if "account" in actor:
        return None, actor["account"]["name"], None
    return (
        None,
        None,
        (
            "the learner must be identified by mbox or account (mbox_sha1sum and openid cannot be "
            "matched to a SkillForge user)"
        ),
    )


def _generic_actor_hash(actor: dict) -> bytes:
    from skillforge.pii import blind_index

    for key in ("mbox", "mbox_sha1sum", "openid"):
        if key in actor:
            return blind_index(f"{key}:{actor[key]}", kind="xapi-actor")
    if "account" in actor:
        return blind_index(
            f"account:{actor['account']['homePage']}|{actor['account']['name']}", kind="xapi-actor"
        )
    return blind_index("anonymous-group", kind="xapi-actor")


def _scores(
    statement: dict, instrument: Instrument, errors: list[dict]
) -> tuple[dict, dict | None, int | None]:
    result = statement.get("result") or {}
    extensions = result.get("extensions") or {}
    context_ext = (statement.get("context") or {}).get("extensions") or {}
    scores: dict[str, Any] = {}
    for key in ("score", "success", "completion", "response", "duration"):
        if key in result:
            scores[key] = result[key]
    profile = None
    if instrument.assessment_type == "interest_profiler":
        path = f"$.result.extensions.{EXT_RIASEC}"
        raw = extensions.get(EXT_RIASEC)
        if not isinstance(raw, dict):
            errors.append(
                error(
                    path,
                    "assessment.riasec-missing",
                    f"an interest-profiler result needs the six RIASEC scores under {EXT_RIASEC}",
                )
            )
        else:
            try:
                profile = normalise_profile(raw)
            except ProfileError as exc:
                errors.append(error(path, "assessment.riasec-invalid", str(exc)))
            else:
                scores["riasec"] = profile
                scores["interest_code"] = high_point_code(profile)
    job_zone = extensions.get(EXT_JOB_ZONE, context_ext.get(EXT_JOB_ZONE))
    if job_zone is not None:
        if type(job_zone) is not int or not 1 <= job_zone <= 5:
            errors.append(
                error(
                    f"$.result.extensions.{EXT_JOB_ZONE}",
                    "assessment.job-zone",
                    "the job zone must be an integer from 1 to 5",
                )
            )
            job_zone = None
        else:
            scores["job_zone"] = job_zone
    if instrument.assessment_type == "skills_test" and EXT_SKILLS not in extensions:
        errors.append(
            error(
                f"$.result.extensions.{EXT_SKILLS}",
                "assessment.skills-missing",
                f"a skills-test result needs the measured skills under {EXT_SKILLS}",
            )
        )
    if EXT_SKILLS in extensions:
        skills = extensions[EXT_SKILLS]
        path = f"$.result.extensions.{EXT_SKILLS}"
        if not isinstance(skills, list) or not all(
            isinstance(s, dict)
            and (isinstance(s.get("element_id"), str) or isinstance(s.get("name"), str))
            and (s.get("level") is None or (type(s["level"]) in (int, float) and 0 <= s["level"] <= 7))
            for s in skills
        ):
            errors.append(
                error(path, "assessment.skills", "skills must be a list of {element_id | name, level 0-7}")
            )
        else:
            scores["skills"] = skills
    if EXT_SUBSCORES in extensions:
        sub = extensions[EXT_SUBSCORES]
        if not isinstance(sub, dict) or not all(type(v) in (int, float) for v in sub.values()):
            errors.append(
                error(
                    f"$.result.extensions.{EXT_SUBSCORES}",
                    "assessment.subscores",
                    "subscores must map names to numbers",
                )
            )
        else:
            scores["subscores"] = sub
    return scores, profile, job_zone


def prepare(
    statements: list[Any],
    *,
    registry: Registry,
    attachment_hashes: Attachments = None,
    now: datetime | None = None,
) -> tuple[list[Outcome], list[_Prepared]]:
    """Validation and everything that needs no database except the instrument registry."""
    from skillforge.pii import blind_index

    now = now or datetime.now(UTC)
    outcomes = [Outcome(i) for i in range(len(statements))]
    prepared: list[_Prepared] = []
    first_index: dict[str, int] = {}
    for i, raw in enumerate(statements):
        errors = validate_statement(raw)
        if errors:
            outcomes[i].errors = errors
            continue
        statement = dict(raw)
        if "id" not in statement:
            statement["id"] = str(uuid.uuid4())
        statement_id = statement["id"].lower()
        outcomes[i].statement_id = statement_id
        errors = _attachment_errors(statement, attachment_hashes)
        if isinstance(attachment_hashes, Mapping) and "attachments" in statement:
            try:
                errors.extend(signature_errors(statement, attachment_hashes))
            except (TypeError, ValueError) as exc:  # e.g. a payload whose timestamp is not a timestamp
                errors.append(
                    error(
                        "$.attachments",
                        "signature.payload",
                        f"the JWS payload is not a valid statement: {exc}",
                    )
                )
        if statement_id in first_index:
            errors.append(
                error(
                    "$.id",
                    "batch.duplicate-id",
                    f"statement id {statement_id} also appears at index {first_index[statement_id]}",
                )
            )
        else:
            first_index[statement_id] = i
        verb_id = statement["verb"]["id"]
        item = _Prepared(
            index=i,
            statement=statement,
            statement_id=statement_id,
            content_sha256=content_hash(statement),
            verb_id=verb_id,
        )
        if verb_id == VOIDED_VERB:
            item.voids = statement["object"]["id"].lower()
            if item.voids == statement_id:
                errors.append(error("$.object.id", "voiding.self", "a statement cannot void itself"))
            item.actor_hash = _generic_actor_hash(statement["actor"])
        else:
            instrument, instrument_errors = registry.check(statement)
            errors.extend(instrument_errors)
            email, account_name, actor_problem = _actor_identity(statement["actor"])
            if actor_problem:
                errors.append(error("$.actor", "assessment.actor", actor_problem))
            elif email is not None:
                item.email, item.actor_hash = email, blind_index(email)
            elif account_name is not None:
                item.account_name = account_name
                item.actor_hash = blind_index(account_name, kind="external_ref")
            if instrument is not None:
                item.instrument = instrument
                item.scores, item.profile, item.job_zone = _scores(statement, instrument, errors)
            moment = parse_timestamp(statement["timestamp"]) if "timestamp" in statement else now
            duration = (statement.get("result") or {}).get("duration")
            try:
                item.administered_at = moment - parse_duration(duration) if duration else moment
            except OverflowError:
                errors.append(
                    error(
                        "$.result.duration",
                        "assessment.duration-range",
                        "the duration reaches before year 1: it cannot be an assessment's length",
                    )
                )
            completed = (statement.get("result") or {}).get(
                "completion"
            ) is True or verb_id in COMPLETION_VERBS
            item.completed_at = moment if completed else None
        if errors:
            outcomes[i].errors = errors
            continue
        outcomes[i].status = "accepted"
        prepared.append(item)
    return outcomes, prepared


# -- database phase --------------------------------------------------------------------------------------
def ingest(
    conn,
    statements: list[Any],
    *,
    channel: str,
    partner_code: str | None = None,
    atomic: bool = True,
    attachment_hashes: Attachments = None,
    registry: Registry | None = None,
    interest_index: InterestIndex | None = None,
    skills_matcher: SkillsMatcher | None = None,
    now: datetime | None = None,
) -> IntakeResult:
    """Validate and store a batch (see the module docstring). `conn` is scoped to the provider's tenant
    (`partner_code`, or 'direct' for None).
    The work is one transaction: committed here when `conn` is idle, a savepoint inside the caller's
    transaction otherwise."""
    now = now or datetime.now(UTC)
    outcomes: list[Outcome] = []
    try:
        with conn.transaction():
            registry = registry or Registry.load(conn)
            outcomes, prepared = prepare(
                statements, registry=registry, attachment_hashes=attachment_hashes, now=now
            )
            if atomic and any(o.errors for o in outcomes):
                raise _Abort
            if prepared:
                _store(
                    conn,
                    prepared,
                    outcomes,
                    channel=channel,
                    partner_code=partner_code,
                    atomic=atomic,
                    interest_index=interest_index,
                    skills_matcher=skills_matcher,
                    now=now,
                )
    except _Abort:
        for o in outcomes:
            if o.status == "accepted":
                o.status = "not_stored"
        return IntakeResult(outcomes, committed=False)
    return IntakeResult(outcomes, committed=any(o.status in OK_STATUSES - {"duplicate"} for o in outcomes))


def _store(
    conn,
    prepared: list[_Prepared],
    outcomes: list[Outcome],
    *,
    channel: str,
    partner_code: str | None,
    atomic: bool,
    interest_index: InterestIndex | None,
    skills_matcher: SkillsMatcher | None,
    now: datetime,
) -> None:
    from skillforge.pii import encrypt

    existing = store.stored_statements(conn, [p.statement_id for p in prepared])
    new: list[_Prepared] = []
    for p in prepared:
        row = existing.get(p.statement_id)
        if row is None:
            new.append(p)
        elif row["content_sha256"] == p.content_sha256:
            outcomes[p.index].status = "duplicate"
        else:
            _conflict(outcomes[p.index], p.statement_id)
    if atomic and any(o.status == "conflict" for o in outcomes):
        raise _Abort

    new = _check_voiding_targets(conn, new, outcomes, partner_code)
    if atomic and any(o.errors for o in outcomes):
        raise _Abort
    if not new:
        return

    _resolve_users(conn, [p for p in new if p.voids is None], partner_code)
    _recommend(conn, new, interest_index)
    _recommend_from_skills(
        conn,
        [
            p
            for p in new
            if p.instrument is not None
            and p.profile is None
            and p.instrument.assessment_type == "skills_test"
            and "skills" in p.scores
        ],
        skills_matcher,
    )

    # Targets voided earlier (their voiding statement arrived first), or voided within this batch. Only a
    # voiding statement of the same tenant counts (voiding another tenant's statement is forbidden).
    voided_by = store.voiders_of(conn, [p.statement_id for p in new], partner_code)
    voided_by.update({p.voids: p.statement_id for p in new if p.voids})
    for p in new:
        if p.voids is None and p.statement_id in voided_by:
            p.voided_by = voided_by[p.statement_id]

    stored_at = now.isoformat().replace("+00:00", "Z")
    rows = []
    for p in new:
        status = "voided" if p.voided_by else "applied" if p.voids or p.user_id else "pending_user"
        # The LRS sets `stored`; a statement without `version` is kept as 1.0.0 (Data 2.4.10).
        stored = {"version": "1.0.0", **p.statement, "stored": stored_at}
        ciphertext = encrypt(
            json.dumps(stored, ensure_ascii=False, separators=(",", ":")),
            key="pii_user",
            table="xapi_statements",
            column="statement_ciphertext",
        )
        rows.append(
            (
                p.statement_id,
                p.content_sha256,
                ciphertext,
                p.actor_hash,
                partner_code,
                p.verb_id,
                p.user_id,
                status,
                p.voided_by,
                f"xapi-{channel}",
                p.voids,
            )
        )
    inserted = store.insert_statements(conn, rows)

    raced = [p for p in new if p.statement_id not in inserted]
    if raced:  # stored concurrently by another request between our check and insert
        # Another tenant's id is invisible here: no hash, so a conflict (never a duplicate of its content).
        hashes = store.content_hashes(conn, [p.statement_id for p in raced])
        for p in raced:
            if hashes.get(p.statement_id) == p.content_sha256:
                outcomes[p.index].status = "duplicate"
            else:
                _conflict(outcomes[p.index], p.statement_id)
        if atomic and any(o.status == "conflict" for o in outcomes):
            raise _Abort
    new = [p for p in new if p.statement_id in inserted]

    # An assessment voided before its learner is known has nothing to withdraw from anyone: not created
    # (assessments of unknown learners can only be pending_user).
    assessments = [
        (p, p.instrument)
        for p in new
        if p.instrument is not None and p.voids is None and not (p.voided_by and p.user_id is None)
    ]
    if assessments:
        store.insert_assessments(
            conn,
            [
                (
                    p.user_id,
                    instrument.assessment_type,
                    instrument.version,
                    instrument.id,
                    p.administered_at,
                    p.completed_at,
                    json.dumps(p.scores),
                    _assessment_source(p.statement, channel),
                    p.statement_id,
                    "voided" if p.voided_by else "completed" if p.user_id else "pending_user",
                    p.recommended_onet_code,
                    p.recommended_pathway_id,
                    json.dumps(p.recommendations),
                )
                for p, instrument in assessments
            ],
        )

    voids = [(p.voids, p.statement_id) for p in new if p.voids]
    if voids:
        store.apply_voids(
            conn, [target for target, _ in voids], [voider for _, voider in voids], partner_code, VOIDED_VERB
        )

    for p in new:
        outcomes[p.index].status = (
            "voided" if p.voided_by else "stored" if p.voids or p.user_id else "pending_user"
        )


def _conflict(outcome: Outcome, statement_id: str) -> None:
    outcome.status = "conflict"
    outcome.errors = [
        error(
            "$.id", "statement.conflict", f"statement {statement_id} is already stored with different content"
        )
    ]


def _assessment_source(statement: dict, channel: str) -> str:
    platform = (statement.get("context") or {}).get("platform")
    return f"xapi-{channel}" + (f":{platform}" if platform else "")


def _check_voiding_targets(
    conn, new: list[_Prepared], outcomes: list[Outcome], partner_code: str | None
) -> list[_Prepared]:
    target_ids = [p.voids for p in new if p.voids]
    if not target_ids:
        return new
    targets = store.stored_statements(conn, target_ids)
    elsewhere = store.ids_of_other_tenants(conn, [t for t in target_ids if t not in targets], partner_code)
    batch = {p.statement_id: p for p in new}
    keep = []
    for p in new:
        if p.voids:
            target = targets.get(p.voids)
            in_batch = batch.get(p.voids)
            target_verb = target["verb_id"] if target else in_batch.verb_id if in_batch else None
            if target_verb == VOIDED_VERB:
                outcomes[p.index].errors = [
                    error("$.object.id", "voiding.target-is-voiding", "a voiding statement cannot be voided")
                ]
                outcomes[p.index].status = "invalid"
                continue
            if p.voids in elsewhere or (target is not None and target["partner_code"] != partner_code):
                outcomes[p.index].errors = [
                    error(
                        "$.object.id",
                        "voiding.forbidden",
                        "the statement to void was stored by another tenant",
                    )
                ]
                outcomes[p.index].status = "invalid"
                continue
        keep.append(p)
    return keep


def _resolve_users(conn, items: list[_Prepared], partner_code: str | None) -> None:
    if not items:
        return
    # An email actor's actor_hash is the email's blind index, an account actor's that of its name (kind
    # external_ref): both are matched against the users' keyed hashes, never against clear values.
    email_hashes = list({p.actor_hash for p in items if p.email})
    ref_hashes = list({p.actor_hash for p in items if p.account_name})
    by_email, by_ref = store.find_users(conn, partner_code, email_hashes, ref_hashes)
    for p in items:
        p.user_id = by_email.get(p.actor_hash) if p.email else by_ref.get(p.actor_hash)


def _recommend(conn, items: list[_Prepared], interest_index: InterestIndex | None) -> None:
    """Occupation recommendations (and their pathways) for the items with an interest profile."""
    profiled = [(p, p.profile) for p in items if p.profile is not None]
    if not profiled:
        return
    index = interest_index or InterestIndex.load(conn)
    for p, profile in profiled:
        try:
            ranked = index.rank(profile, job_zone=p.job_zone, limit=RECOMMENDATION_LIMIT)
        except ProfileError as exc:
            p.scores["recommendation_note"] = str(exc)
            continue
        p.recommendations = [r.as_dict() for r in ranked]
    _attach_pathways(conn, [p for p, _ in profiled])


def _attach_pathways(conn, items: list[_Prepared]) -> None:
    codes = sorted({r["onet_code"] for p in items for r in p.recommendations})
    if not codes:
        return
    known = known_occupation_codes(conn, codes)
    pathways = latest_pathways(conn, codes)
    for p in items:
        for r in p.recommendations:
            r["pathway_id"] = pathways.get(r["onet_code"])
        best = next((r for r in p.recommendations if r["onet_code"] in known), None)
        if best:
            p.recommended_onet_code = best["onet_code"]
            p.recommended_pathway_id = best["pathway_id"]


def default_skills_matcher(skills: list, job_zone: int | None, limit: int) -> list:
    """The career API's matching (POST /v1/match) over the current O*NET release."""
    from skillforge.matching.service import match
    from skillforge.reference.releases import current_release

    return match(current_release(), skills, limit, job_zone=job_zone)["items"]


def _recommend_from_skills(conn, items: list[_Prepared], matcher: SkillsMatcher | None) -> None:
    """A skills test updates the learner's match: the occupations that best fit the measured skills."""
    if not items:
        return
    from skillforge.errors import SkillforgeError

    matcher = matcher or default_skills_matcher
    for p in items:
        try:
            found = matcher(p.scores["skills"], p.job_zone, RECOMMENDATION_LIMIT)
        except (
            SkillforgeError
        ) as exc:  # unknown skills, no release loaded: the assessment is kept without a match
            p.scores["recommendation_note"] = exc.message
            continue
        p.recommendations = [
            {k: item.get(k) for k in ("onet_code", "title", "match_score", "adjusted_score")}
            for item in found
        ]
    _attach_pathways(conn, items)
