"""The IRIs SkillForge reads from assessment statements (its xAPI profile for psychometric providers).

A provider's statement about a completed instrument carries, in `context.extensions`, the instrument
version and the SHA-256 of that version's definition, and, in `result.extensions`, the sub-scores.
"""

BASE = "https://skillforge.example/xapi/ext/"

EXT_INSTRUMENT_VERSION = BASE + "instrument-version"  # context: "2.0"
EXT_INSTRUMENT_SHA256 = BASE + "instrument-sha256"  # context: 64 hex characters
EXT_RIASEC = BASE + "riasec"  # result: {"R": n, "I": n, "A": n, "S": n, "E": n, "C": n}
EXT_JOB_ZONE = BASE + "job-zone"  # result or context: 1..5, the learner's preparation level
EXT_SKILLS = BASE + "skills"  # result: [{"element_id" | "name", "level": 0..7}]
EXT_SUBSCORES = BASE + "subscores"  # result: {"name": number} for other instruments

VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED = "http://adlnet.gov/expapi/verbs/failed"
VERB_SCORED = "http://adlnet.gov/expapi/verbs/scored"
COMPLETION_VERBS = frozenset({VERB_COMPLETED, VERB_PASSED, VERB_FAILED, VERB_SCORED})
