"""Statement builders shared by the xAPI tests and the benchmark."""

from __future__ import annotations

import copy
import uuid

from skillforge.xapi.vocabulary import EXT_INSTRUMENT_SHA256, EXT_INSTRUMENT_VERSION, EXT_JOB_ZONE, EXT_RIASEC

IP_ACTIVITY = "https://assessments.example.org/instruments/interest-profiler"


def minimal() -> dict:
    return {
        "actor": {"mbox": "mailto:learner@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "https://example.com/activities/course-1"},
    }


def full() -> dict:
    """A statement using nearly every property (modelled on the long example of the xAPI Data section)."""
    return {
        "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
        "version": "1.0.3",
        "actor": {
            "objectType": "Group",
            "name": "Team PB",
            "mbox": "mailto:teampb@example.com",
            "member": [
                {
                    "objectType": "Agent",
                    "name": "Andrew",
                    "account": {"homePage": "http://www.example.com", "name": "13936749"},
                },
                {"name": "Toby", "openid": "http://toby.openid.example.org/"},
                {"objectType": "Agent", "mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
            ],
        },
        "verb": {
            "id": "http://adlnet.gov/expapi/verbs/attended",
            "display": {"en-GB": "attended", "en-US": "attended", "zh-Hant-TW": "出席", "es-419": "asistió"},
        },
        "object": {
            "objectType": "Activity",
            "id": "http://www.example.com/meetings/occurances/34534",
            "definition": {
                "name": {"en-GB": "example meeting"},
                "description": {"en-GB": "An example meeting that happened on a specific occasion."},
                "type": "http://adlnet.gov/expapi/activities/meeting",
                "moreInfo": "http://virtualmeeting.example.com/345256",
                "extensions": {
                    "http://example.com/profiles/meetings/activitydefinitionextensions/room": {
                        "name": "Kilby",
                        "id": "http://example.com/rooms/342",
                    }
                },
            },
        },
        "result": {
            "extensions": {
                "http://example.com/profiles/meetings/resultextensions/minuteslocation": "X:\\minutes"
            },
            "score": {"scaled": 0.5, "raw": 50, "min": 0, "max": 100},
            "success": True,
            "completion": True,
            "response": "We agreed on some example actions.",
            "duration": "PT1H0M0S",
        },
        "context": {
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "instructor": {"objectType": "Agent", "name": "Andrew", "mbox": "mailto:andrew@example.com"},
            "team": {"objectType": "Group", "name": "Team", "mbox": "mailto:team@example.com"},
            "contextActivities": {
                "parent": [{"id": "http://www.example.com/meetings/series/267", "objectType": "Activity"}],
                "category": {
                    "id": "http://www.example.com/meetings/categories/teammeeting",
                    "definition": {
                        "name": {"en": "team meeting"},
                        "type": "http://example.com/expapi/activities/meetingcategory",
                    },
                },
                "grouping": [],
                "other": [{"id": "http://www.example.com/meetings/occurances/34257"}],
            },
            "revision": "1.0",
            "platform": "Example virtual meeting software",
            "language": "tlh",
            "statement": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
            "extensions": {"http://example.com/profiles/meetings/contextextensions/topic": None},
        },
        "timestamp": "2013-05-18T05:32:34.804+00:00",
        "stored": "2013-05-18T05:32:34.804Z",
        "authority": {
            "objectType": "Agent",
            "account": {"homePage": "http://cloud.scorm.com/", "name": "anonymous"},
        },
        "attachments": [
            {
                "usageType": "http://adlnet.gov/expapi/attachments/signature",
                "display": {"en-US": "Signature"},
                "description": {"en-US": "A test signature"},
                "contentType": "application/octet-stream",
                "length": 4235,
                "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634",
            }
        ],
    }


def interaction(itype: str, **lists) -> dict:
    s = minimal()
    s["object"]["definition"] = {
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "interactionType": itype,
        "correctResponsesPattern": ["a"],
        **lists,
    }
    return s


def components(*ids: str) -> list[dict]:
    return [{"id": i, "description": {"en-US": f"choice {i}"}} for i in ids]


def substatement() -> dict:
    s = minimal()
    s["verb"] = {"id": "http://example.com/planned", "display": {"en-US": "planned"}}
    s["object"] = {
        "objectType": "SubStatement",
        "actor": {"objectType": "Agent", "mbox": "mailto:t@example.com"},
        "verb": {"id": "http://example.com/visited"},
        "object": {"objectType": "Activity", "id": "http://example.com/website"},
        "context": {"platform": "web"},
        "timestamp": "2030-01-01T00:00:00Z",
    }
    return s


def voiding(target: str = "e05aa883-acaf-40ad-bf54-02c8ce485fb0") -> dict:
    return {
        "actor": {"objectType": "Agent", "name": "Example Admin", "mbox": "mailto:admin@example.adlnet.gov"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target},
    }


def interest_profiler(
    *,
    email: str = "learner@example.com",
    account: tuple[str, str] | None = None,
    scores: dict | None = None,
    statement_id: str | None = None,
    instrument_version: str = "2.0",
    checksum: str | None = None,
    timestamp: str = "2026-11-20T10:15:00Z",
    duration: str = "PT12M30S",
    job_zone: int | None = None,
) -> dict:
    """An Interest Profiler (RIASEC) completion as a psychometric provider would send it."""
    scores = scores or {"R": 12, "I": 35, "A": 20, "S": 18, "E": 10, "C": 28}
    actor = (
        {"objectType": "Agent", "account": {"homePage": account[0], "name": account[1]}}
        if account
        else {"objectType": "Agent", "mbox": f"mailto:{email}"}
    )
    ext = {EXT_INSTRUMENT_VERSION: instrument_version}
    if checksum is not None:
        ext[EXT_INSTRUMENT_SHA256] = checksum
    result_ext = {EXT_RIASEC: scores}
    if job_zone is not None:
        result_ext[EXT_JOB_ZONE] = job_zone
    return {
        "id": statement_id or str(uuid.uuid4()),
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
        "object": {
            "objectType": "Activity",
            "id": IP_ACTIVITY,
            "definition": {
                "name": {"en-US": "O*NET Interest Profiler"},
                "type": "http://adlnet.gov/expapi/activities/assessment",
            },
        },
        "result": {"completion": True, "duration": duration, "extensions": result_ext},
        "context": {"platform": "ExampleAssess", "extensions": ext},
        "timestamp": timestamp,
    }


def mutate(statement: dict, fn) -> dict:
    s = copy.deepcopy(statement)
    fn(s)
    return s
