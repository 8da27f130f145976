"""Statement intake: validate, store (encrypted, idempotent by id), void, and map to `assessments`.

One call handles a batch in one transaction:
1. every statement is validated (xAPI 1.0.3), gets an id if it has none, has its attachments' payloads
   checked (multipart) and, unless it is a voiding statement, its instrument version and checksum checked;
2. ids already stored are no-ops when the content is the same and conflicts (409) when it differs;
3. the learner is resolved from the actor (mbox -> the user's email blind index; account -> the user's
   `external_ref` in the provider's tenant); an unknown learner's statement and assessment are kept as
   `pending_user` and attached by `apply_pending*` when the user arrives;
4. interest-profiler results get occupation recommendations (correlation with O*NET Interests, by job
   zone), skills tests the career API's match; the best occupation gets its latest learning pathway;
5. voiding statements mark their target voided and withdraw its assessment (also when the target
   arrives after the voiding statement).

`atomic=True` (HTTP, LRS rule) writes nothing unless every statement is acceptable; `atomic=False` (SQS)
stores the acceptable ones and reports the others.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from skillforge.reference.codes import known_occupation_codes
from skillforge.xapi.instruments import Instrument, Registry
from skillforge.xapi.recommendations import (
    InterestIndex,
    ProfileError,
    high_point_code,
    latest_pathways,
    normalise_profile,
)
from skillforge.xapi.validator import _DURATION, _TIMESTAMP, SIGNATURE_USAGE, VOIDED_VERB, validate_statement
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


def content_hash(statement: dict) -> str:
    """SHA-256 of the statement's comparable form (xAPI 1.0.3 Data 2.3.1, Statement Comparison Requirements):
    differences that Statement immutability's exceptions could cause are ignored - LRS-assigned properties
    (id, authority, stored, version), Activity definitions, Verb display, attachments, the serialisation of
    timestamps (compared as instants), the order of Group members, single versus array contextActivities,
    and case where the value is case-insensitive (UUIDs, the domain of an mbox). Everything else counts."""
    text = json.dumps(
        _comparable(statement, top=True), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _comparable_agent(agent: Any) -> Any:
    if not isinstance(agent, dict):
        return agent
    out = dict(agent)
    if isinstance(out.get("mbox"), str) and "@" in out["mbox"]:
        local, _, domain = out["mbox"].rpartition("@")
        out["mbox"] = f"{local}@{domain.lower()}"
    if isinstance(out.get("mbox_sha1sum"), str):
        out["mbox_sha1sum"] = out["mbox_sha1sum"].lower()
    if isinstance(out.get("member"), list):
        members = [_comparable_agent(m) for m in out["member"]]
        out["member"] = sorted(members, key=lambda m: json.dumps(m, sort_keys=True))
    return out


def _comparable_activity(activity: Any) -> Any:
    if isinstance(activity, dict):
        return {k: v for k, v in activity.items() if k != "definition"}
    return activity


def _comparable(statement: dict, *, top: bool) -> dict:
    out = {
        k: v for k, v in statement.items() if k not in ("id", "authority", "stored", "version", "attachments")
    }
    if "actor" in out:
        out["actor"] = _comparable_agent(out["actor"])
    if isinstance(out.get("verb"), dict):
        out["verb"] = {k: v for k, v in out["verb"].items() if k != "display"}
    if "timestamp" in out:
        out["timestamp"] = parse_timestamp(out["timestamp"]).astimezone(UTC).isoformat()
    obj = out.get("object")
    if isinstance(obj, dict):
        kind = obj.get("objectType", "Activity")
        if kind == "Activity":
            out["object"] = _comparable_activity(obj)
        elif kind in ("Agent", "Group"):
            out["object"] = _comparable_agent(obj)
        elif kind == "StatementRef":
            out["object"] = {**obj, "id": str(obj.get("id", "")).lower()}
        elif kind == "SubStatement" and top:
            out["object"] = _comparable(obj, top=False)
    context = out.get("context")
    if isinstance(context, dict):
        context = dict(context)
        if isinstance(context.get("registration"), str):
            context["registration"] = context["registration"].lower()
        for key in ("instructor", "team"):
            if key in context:
                context[key] = _comparable_agent(context[key])
        if isinstance(context.get("statement"), dict):
            context["statement"] = {
                **context["statement"],
                "id": str(context["statement"].get("id", "")).lower(),
            }
        if isinstance(context.get("contextActivities"), dict):
            context["contextActivities"] = {
                key: [_comparable_activity(a) for a in (value if isinstance(value, list) else [value])]
                for key, value in context["contextActivities"].items()
            }
        out["context"] = context
    return out


def _err(path: str, rule: str, message: str) -> dict:
    return {"path": path, "rule": rule, "message": message}


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
                    _err(
                        f"{base}[{i}].sha2",
                        "attachment.payload-missing",
                        "an attachment without fileUrl must be sent as a multipart/mixed part",
                    )
                )
            elif sha2 not in attachment_hashes:
                errors.append(
                    _err(
                        f"{base}[{i}].sha2",
                        "attachment.payload-missing",
                        f"no multipart part has X-Experience-API-Hash {sha2}",
                    )
                )
    return errors


_JWS_ALGORITHMS = frozenset({"RS256", "RS384", "RS512"})


def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode((segment + "=" * (-len(segment) % 4)).encode("ascii"))


def _b64url_json(segment: str) -> Any:
    return json.loads(_b64url(segment).decode("utf-8"))


def _x5c_problem(header: dict, signing_input: bytes, signature: bytes) -> str | None:
    """Data 2.6: when the JWS header includes an X.509 certificate, the LRS MUST validate the signature
    against it (it catches mistakes; trusting the signer is outside xAPI)."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    chain = header["x5c"]
    if not isinstance(chain, list) or not chain or not all(isinstance(c, str) for c in chain):
        return "x5c must be a non-empty array of base64 DER certificates"
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (ValueError, binascii.Error):
        return "x5c[0] is not a base64 DER X.509 certificate"
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return "the x5c certificate's key is not an RSA key (RS256/384/512 need one)"
    digest = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}[header["alg"]]()
    try:
        key.verify(signature, signing_input, padding.PKCS1v15(), digest)
    except InvalidSignature:
        return "the JWS signature does not verify against the certificate in x5c"
    return None


def _signature_errors(statement: dict, attachments: Mapping[str, bytes]) -> list[dict]:
    """xAPI 1.0.3 Data 2.6: a signature attachment whose data was sent must be a JWS (compact serialization)
    signed with RS256, RS384 or RS512 whose payload is this statement as it was before the signature was
    added, and when its header carries an X.509 certificate (`x5c`) the signature must verify against it;
    anything else is a malformed signature, which the LRS MUST reject. Without `x5c` there is no key to
    verify with (who signed is outside xAPI): see docs/xapi.md."""
    errors = []
    for i, attachment in enumerate(statement.get("attachments") or []):
        if attachment.get("usageType") != SIGNATURE_USAGE:
            continue
        data = attachments.get(attachment["sha2"].lower())
        if data is None:  # sent by fileUrl only: nothing to check
            continue
        path = f"$.attachments[{i}]"
        try:
            header_segment, payload_segment, signature_segment = data.decode("ascii").strip().split(".")
            header = _b64url_json(header_segment)
            payload = _b64url_json(payload_segment)
            signature = _b64url(signature_segment)
            if not signature:
                raise ValueError("empty signature")
        except (UnicodeDecodeError, ValueError, binascii.Error):
            errors.append(
                _err(
                    path,
                    "signature.jws",
                    "the signature attachment is not a JWS in compact "
                    "serialization (header.payload.signature, base64url JSON)",
                )
            )
            continue
        if not isinstance(header, dict) or header.get("alg") not in _JWS_ALGORITHMS:
            alg = header.get("alg") if isinstance(header, dict) else None
            errors.append(
                _err(
                    path,
                    "signature.algorithm",
                    f"the JWS algorithm must be RS256, RS384 or RS512, got {alg!r}",
                )
            )
        elif "x5c" in header:
            problem = _x5c_problem(header, f"{header_segment}.{payload_segment}".encode("ascii"), signature)
            if problem:
                errors.append(_err(path, "signature.x509", problem))
        if not isinstance(payload, dict):
            errors.append(
                _err(path, "signature.payload", "the JWS payload is not a statement (a JSON object)")
            )
            continue
        unsigned = {
            **statement,
            "attachments": [a for a in statement["attachments"] if a.get("usageType") != SIGNATURE_USAGE],
        }
        same_id = str(payload.get("id", statement["id"])).lower() == statement["id"].lower()
        if not same_id or content_hash(payload) != content_hash(unsigned):
            errors.append(
                _err(
                    path,
                    "signature.payload",
                    "the JWS payload does not match the statement (it must be the statement as it was "
                    "before the signature was added)",
                )
            )
    return errors


def parse_timestamp(value: str) -> datetime:
    m = _TIMESTAMP.match(value)
    if not m:
        raise ValueError(f"not a timestamp: {value!r}")
    fraction = (m["f"] or "0")[:6].ljust(6, "0")
    moment = datetime(
        int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"] or 0), int(fraction)
    )
    tz = m["tz"]
    if not tz or tz in ("Z", "z"):
        return moment.replace(tzinfo=UTC)
    digits = tz[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return moment.replace(tzinfo=timezone(offset if tz[0] == "+" else -offset))


_DAYS = {"y": 365.2425, "mo": 30.436875, "w": 7.0, "d": 1.0}
_SECONDS = {"h": 3600.0, "mi": 60.0, "s": 1.0}


def parse_duration(value: str) -> timedelta:
    m = _DURATION.match(value)
    if not m:
        raise ValueError(f"not a duration: {value!r}")
    seconds = 0.0
    for part, days in _DAYS.items():
        if m[part]:
            seconds += float(m[part].replace(",", ".")) * days * 86400
    for part, factor in _SECONDS.items():
        if m[part]:
            seconds += float(m[part].replace(",", ".")) * factor
    return timedelta(seconds=seconds)


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
                _err(
                    path,
                    "assessment.riasec-missing",
                    f"an interest-profiler result needs the six RIASEC scores under {EXT_RIASEC}",
                )
            )
        else:
            try:
                profile = normalise_profile(raw)
            except ProfileError as exc:
                errors.append(_err(path, "assessment.riasec-invalid", str(exc)))
            else:
                scores["riasec"] = profile
                scores["interest_code"] = high_point_code(profile)
    job_zone = extensions.get(EXT_JOB_ZONE, context_ext.get(EXT_JOB_ZONE))
    if job_zone is not None:
        if type(job_zone) is not int or not 1 <= job_zone <= 5:
            errors.append(
                _err(
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
            _err(
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
                _err(path, "assessment.skills", "skills must be a list of {element_id | name, level 0-7}")
            )
        else:
            scores["skills"] = skills
    if EXT_SUBSCORES in extensions:
        sub = extensions[EXT_SUBSCORES]
        if not isinstance(sub, dict) or not all(type(v) in (int, float) for v in sub.values()):
            errors.append(
                _err(
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
                errors.extend(_signature_errors(statement, attachment_hashes))
            except (TypeError, ValueError) as exc:  # e.g. a payload whose timestamp is not a timestamp
                errors.append(
                    _err(
                        "$.attachments",
                        "signature.payload",
                        f"the JWS payload is not a valid statement: {exc}",
                    )
                )
        if statement_id in first_index:
            errors.append(
                _err(
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
                errors.append(_err("$.object.id", "voiding.self", "a statement cannot void itself"))
            item.actor_hash = _generic_actor_hash(statement["actor"])
        else:
            instrument, instrument_errors = registry.check(statement)
            errors.extend(instrument_errors)
            email, account_name, actor_problem = _actor_identity(statement["actor"])
            if actor_problem:
                errors.append(_err("$.actor", "assessment.actor", actor_problem))
            elif email is not None:
                item.email, item.actor_hash = email, blind_index(email)
            else:
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
                    _err(
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
    """Validate and store a batch (see the module docstring). `conn` must be scoped to tenant '*'.
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

    ids = [p.statement_id for p in prepared]
    existing = {
        str(r["statement_id"]): r
        for r in conn.execute(
            "SELECT statement_id, content_sha256, verb_id, status, partner_code FROM xapi_statements "
            "WHERE statement_id = ANY(%s::uuid[])",
            (ids,),
        ).fetchall()
    }
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

    new = _check_voiding_targets(conn, new, existing, outcomes, partner_code)
    if atomic and any(o.errors for o in outcomes):
        raise _Abort
    if not new:
        return

    _resolve_users(conn, [p for p in new if p.voids is None], partner_code)
    _recommend(conn, [p for p in new if p.profile is not None], interest_index)
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
    new_ids = [p.statement_id for p in new]
    voided_by = {
        str(r["voids_statement_id"]): str(r["statement_id"])
        for r in conn.execute(
            "SELECT statement_id, voids_statement_id FROM xapi_statements "
            "WHERE voids_statement_id = ANY(%s::uuid[]) AND partner_code IS NOT DISTINCT FROM %s",
            (new_ids, partner_code),
        ).fetchall()
    }
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
        # Lets the users trigger (migration 0004) attach the statement when the account's user arrives.
        account_ref = (
            hashlib.sha256(p.account_name.encode("utf-8")).digest()
            if p.account_name is not None and p.user_id is None
            else None
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
                account_ref,
            )
        )
    inserted = {
        str(r["statement_id"])
        for r in conn.execute(
            "INSERT INTO xapi_statements (statement_id, content_sha256, statement_ciphertext, actor_hash, partner_code, "
            "verb_id, user_id, status, voided_by, source, voids_statement_id, account_ref_sha256) "
            "SELECT * FROM unnest(%s::uuid[], %s::text[], %s::bytea[], %s::bytea[], %s::text[], %s::text[], "
            "%s::uuid[], %s::statement_status[], %s::uuid[], %s::text[], %s::uuid[], %s::bytea[]) "
            "ON CONFLICT (statement_id) DO NOTHING RETURNING statement_id",
            [list(column) for column in zip(*rows)],
        ).fetchall()
    }

    raced = [p for p in new if p.statement_id not in inserted]
    if raced:  # stored concurrently by another request between our check and insert
        hashes = {
            str(r["statement_id"]): r["content_sha256"]
            for r in conn.execute(
                "SELECT statement_id, content_sha256 FROM xapi_statements WHERE statement_id = ANY(%s::uuid[])",
                ([p.statement_id for p in raced],),
            ).fetchall()
        }
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
    assessments = [p for p in new if p.voids is None and not (p.voided_by and p.user_id is None)]
    if assessments:
        conn.execute(
            "INSERT INTO assessments (user_id, assessment_type, assessment_version, instrument_id, administered_at, "
            "completed_at, scores, source, statement_id, status, recommended_onet_code, recommended_pathway_id, "
            "recommendations) "
            "SELECT u, t::assessment_type, v, i, a, c, s::jsonb, src, sid, st::assessment_status, rc, rp, r::jsonb "
            "FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::uuid[], %s::timestamptz[], %s::timestamptz[], "
            "%s::text[], %s::text[], %s::uuid[], %s::text[], %s::text[], %s::uuid[], %s::text[]) "
            "AS x(u, t, v, i, a, c, s, src, sid, st, rc, rp, r) ON CONFLICT (statement_id) DO NOTHING",
            [
                list(column)
                for column in zip(
                    *[
                        (
                            p.user_id,
                            p.instrument.assessment_type,
                            p.instrument.version,
                            p.instrument.id,
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
                        for p in assessments
                    ]
                )
            ],
        )

    voids = [p for p in new if p.voids]
    if voids:
        targets, voiders = [p.voids for p in voids], [p.statement_id for p in voids]
        conn.execute(
            "UPDATE xapi_statements x SET status = 'voided', voided_by = v.voider FROM unnest(%s::uuid[], %s::uuid[]) "
            "AS v(target, voider) WHERE x.statement_id = v.target AND x.verb_id <> %s",
            (targets, voiders, VOIDED_VERB),
        )
        conn.execute(
            "UPDATE assessments SET status = 'voided' WHERE statement_id = ANY(%s::uuid[]) "
            "AND user_id IS NOT NULL",
            (targets,),
        )
        conn.execute(
            "DELETE FROM assessments WHERE statement_id = ANY(%s::uuid[]) AND user_id IS NULL "
            "AND status = 'pending_user'",
            (targets,),
        )

    for p in new:
        outcomes[p.index].status = (
            "voided" if p.voided_by else "stored" if p.voids or p.user_id else "pending_user"
        )


def _conflict(outcome: Outcome, statement_id: str) -> None:
    outcome.status = "conflict"
    outcome.errors = [
        _err(
            "$.id", "statement.conflict", f"statement {statement_id} is already stored with different content"
        )
    ]


def _assessment_source(statement: dict, channel: str) -> str:
    platform = (statement.get("context") or {}).get("platform")
    return f"xapi-{channel}" + (f":{platform}" if platform else "")


def _check_voiding_targets(
    conn, new: list[_Prepared], existing: dict, outcomes: list[Outcome], partner_code: str | None
) -> list[_Prepared]:
    voids = [p for p in new if p.voids]
    if not voids:
        return new
    targets = {
        str(r["statement_id"]): r
        for r in conn.execute(
            "SELECT statement_id, verb_id, partner_code FROM xapi_statements WHERE statement_id = ANY(%s::uuid[])",
            ([p.voids for p in voids],),
        ).fetchall()
    }
    batch = {p.statement_id: p for p in new}
    keep = []
    for p in new:
        if p.voids:
            target = targets.get(p.voids)
            in_batch = batch.get(p.voids)
            target_verb = target["verb_id"] if target else in_batch.verb_id if in_batch else None
            if target_verb == VOIDED_VERB:
                outcomes[p.index].errors = [
                    _err("$.object.id", "voiding.target-is-voiding", "a voiding statement cannot be voided")
                ]
                outcomes[p.index].status = "invalid"
                continue
            if target is not None and target["partner_code"] != partner_code:
                outcomes[p.index].errors = [
                    _err(
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
    email_hashes = list({p.actor_hash for p in items if p.email})
    refs = list({p.account_name for p in items if p.account_name})
    rows = conn.execute(
        "SELECT id::text AS id, email_hash, external_ref FROM users WHERE deleted_at IS NULL "
        "AND partner_code IS NOT DISTINCT FROM %s AND (email_hash = ANY(%s) OR external_ref = ANY(%s))",
        (partner_code, email_hashes, refs),
    ).fetchall()
    by_email = {bytes(r["email_hash"]): r["id"] for r in rows if r["email_hash"] is not None}
    by_ref = {r["external_ref"]: r["id"] for r in rows if r["external_ref"]}
    for p in items:
        p.user_id = by_email.get(p.actor_hash) if p.email else by_ref.get(p.account_name)


def _recommend(conn, items: list[_Prepared], interest_index: InterestIndex | None) -> None:
    if not items:
        return
    index = interest_index or InterestIndex.load(conn)
    for p in items:
        try:
            ranked = index.rank(p.profile, job_zone=p.job_zone, limit=RECOMMENDATION_LIMIT)
        except ProfileError as exc:
            p.scores["recommendation_note"] = str(exc)
            continue
        p.recommendations = [r.as_dict() for r in ranked]
    _attach_pathways(conn, items)


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


# -- pending statements ------------------------------------------------------------------------------
def apply_pending_for_user(conn, user_id: str) -> int:
    """Attach the pending statements and assessments of a user; returns how many statements.
    Creating or updating a user already does this (trigger `users_attach_pending_xapi`, migration 0004);
    this and `apply_pending` are the explicit repair paths (tenant '*')."""
    from skillforge.pii import blind_index

    with conn.transaction():
        user = conn.execute(
            "SELECT id::text AS id, email_hash, external_ref, partner_code FROM users "
            "WHERE id = %s AND deleted_at IS NULL",
            (user_id,),
        ).fetchone()
        if user is None:
            return 0
        hashes = [bytes(user["email_hash"])] if user["email_hash"] is not None else []
        if user["external_ref"]:
            hashes.append(blind_index(user["external_ref"], kind="external_ref"))
        return _attach(conn, user["id"], user["partner_code"], hashes)


def apply_pending(conn) -> int:
    """Attach every pending statement whose learner now exists (a sweep; cheap when nothing is pending)."""
    with conn.transaction():
        return _apply_pending(conn)


def _apply_pending(conn) -> int:
    from skillforge.pii import blind_index

    pending = conn.execute(
        "SELECT DISTINCT actor_hash, partner_code FROM xapi_statements WHERE status = 'pending_user'"
    ).fetchall()
    if not pending:
        return 0
    wanted = {(bytes(r["actor_hash"]), r["partner_code"]) for r in pending}
    partners = list({r["partner_code"] for r in pending})
    users = conn.execute(
        "SELECT id::text AS id, email_hash, external_ref, partner_code FROM users WHERE deleted_at IS NULL "
        "AND (partner_code = ANY(%s) OR (partner_code IS NULL AND %s))",
        ([p for p in partners if p is not None], None in partners),
    ).fetchall()
    total = 0
    for user in users:
        hashes = []
        if user["email_hash"] is not None and (bytes(user["email_hash"]), user["partner_code"]) in wanted:
            hashes.append(bytes(user["email_hash"]))
        if user["external_ref"]:
            ref_hash = blind_index(user["external_ref"], kind="external_ref")
            if (ref_hash, user["partner_code"]) in wanted:
                hashes.append(ref_hash)
        if hashes:
            total += _attach(conn, user["id"], user["partner_code"], hashes)
    return total


def _attach(conn, user_id: str, partner_code: str | None, hashes: Iterable[bytes]) -> int:
    hashes = list(hashes)
    if not hashes:
        return 0
    with conn.transaction():
        ids = [
            r["statement_id"]
            for r in conn.execute(
                "UPDATE xapi_statements SET user_id = %s, status = 'applied', account_ref_sha256 = NULL "
                "WHERE status = 'pending_user' "
                "AND actor_hash = ANY(%s) AND partner_code IS NOT DISTINCT FROM %s RETURNING statement_id",
                (user_id, hashes, partner_code),
            ).fetchall()
        ]
        # Voided statements of the user keep their status but are linked too (erasure follows the user).
        conn.execute(
            "UPDATE xapi_statements SET user_id = %s, account_ref_sha256 = NULL "
            "WHERE status = 'voided' AND user_id IS NULL "
            "AND actor_hash = ANY(%s) AND partner_code IS NOT DISTINCT FROM %s",
            (user_id, hashes, partner_code),
        )
        if ids:
            conn.execute(
                "UPDATE assessments SET user_id = %s, status = 'completed' "
                "WHERE statement_id = ANY(%s) AND status = 'pending_user'",
                (user_id, ids),
            )
    return len(ids)


def forget_pending(
    conn, *, email: str | None = None, external_ref: str | None = None, partner_code: str | None = None
) -> int:
    """Erasure (GDPR/CCPA) of statements still waiting for their learner: a deleted or never-created user's
    pending statements are found by the actor's blind index, not by user_id. Returns how many were deleted."""
    from skillforge.pii import blind_index

    hashes = ([blind_index(email)] if email else []) + (
        [blind_index(external_ref, kind="external_ref")] if external_ref else []
    )
    if not hashes:
        return 0
    with conn.transaction():
        ids = [
            r["statement_id"]
            for r in conn.execute(
                "SELECT statement_id FROM xapi_statements WHERE user_id IS NULL AND actor_hash = ANY(%s) "
                "AND partner_code IS NOT DISTINCT FROM %s",
                (hashes, partner_code),
            ).fetchall()
        ]
        if not ids:
            return 0
        conn.execute("DELETE FROM assessments WHERE statement_id = ANY(%s) AND user_id IS NULL", (ids,))
        return conn.execute("DELETE FROM xapi_statements WHERE statement_id = ANY(%s)", (ids,)).rowcount


def decrypt_statement(ciphertext: bytes) -> dict:
    from skillforge.pii import decrypt

    return json.loads(
        decrypt(ciphertext, key="pii_user", table="xapi_statements", column="statement_ciphertext")
    )


__all__ = [
    "IntakeResult",
    "Outcome",
    "apply_pending",
    "apply_pending_for_user",
    "content_hash",
    "decrypt_statement",
    "forget_pending",
    "ingest",
    "parse_duration",
    "parse_timestamp",
    "prepare",
]
