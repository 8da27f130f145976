"""Spelling correction of occupation searches against the release's title words: the distance, the
suggestions and the corrected phrases (in memory), then through the handler on the committed sample."""

import pytest

from skillforge.search.vocabulary import TitleVocabulary, distance, normalize

WORDS = {
    "software": 40,
    "developer": 30,
    "developers": 12,
    "registered": 25,
    "register": 3,
    "nurse": 50,
    "nurses": 20,
    "electrical": 60,
    "electrician": 15,
    "engineer": 80,
    "engine": 9,
    "engines": 4,
    "mechanical": 30,
    "plumber": 5,
    "pharmacist": 6,
    "rn": 4,
    "chef": 7,
    "sous": 2,
}


@pytest.fixture
def vocabulary():
    return TitleVocabulary(dict(WORDS))


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("software", "software", 0),
        ("sofware", "software", 1),  # dropped letter
        ("phramacist", "pharmacist", 1),  # swapped neighbours count once
        ("nurce", "nurse", 1),  # substitution
        ("softwre", "software", 1),
        ("registred", "registered", 1),
        ("devlopr", "developer", 2),
        ("cat", "dog", 3),
    ],
)
def test_distance(a, b, expected):
    assert distance(a, b, 3) == expected
    assert distance(b, a, 3) == expected


def test_distance_stops_above_its_limit():
    assert distance("software", "hardwired", 1) == 2


@pytest.mark.parametrize(
    "word, best",
    [
        ("sofware", "software"),
        ("devloper", "developer"),
        ("registred", "registered"),  # one edit from both; more titles use "registered"
        ("nurce", "nurse"),
        ("phramacist", "pharmacist"),
        ("plumer", "plumber"),
        ("softwre", "software"),
        ("devlopr", "developer"),  # two edits allowed from 7 letters: two letters dropped,
        ("mechenicel", "mechanical"),  # two substitutions,
        ("sofwere", "software"),  # a drop and a substitution
    ],
)
def test_unknown_word_gets_the_closest_title_word(vocabulary, word, best):
    assert vocabulary.suggestions(word)[0][1] == best


@pytest.mark.parametrize("word", ["nurse", "nurses", "developers", "engineer", "rn", "cop", "xyz", "2024"])
def test_known_short_or_numeric_words_are_left_alone(vocabulary, word):
    assert vocabulary.suggestions(word) == []


def test_too_far_finds_nothing(vocabulary):
    assert vocabulary.suggestions("nrce") == []  # 4 letters: one edit only ("nurse" is two away)
    assert vocabulary.suggestions("zzqxjv") == []


def test_corrections_keep_known_words_and_offer_equally_close_alternatives(vocabulary):
    phrases, complete = vocabulary.corrections("Mechanical  Enginer")
    assert phrases == ["mechanical engineer", "mechanical engine"] and complete  # "engines" is "engine" again
    phrases, complete = vocabulary.corrections("electrican")
    assert phrases == ["electrical", "electrician"] and complete


def test_corrections_report_a_word_they_could_not_fix(vocabulary):
    assert vocabulary.corrections("registred zzqxjv") == (["registered zzqxjv"], False)
    assert vocabulary.corrections("registered nurse") == ([], True)
    assert vocabulary.corrections("zzqxjv") == ([], False)


def test_a_long_run_of_unknown_words_is_not_all_corrected(vocabulary):
    phrases, complete = vocabulary.corrections("nurce sofware plumer devloper phramacist")
    assert phrases == ["nurse software plumber developer phramacist"] and not complete


def test_corrections_keep_punctuation_and_normalise_like_the_database(vocabulary):
    assert normalize("  Sous-Chéf ") == "sous-chef"
    assert vocabulary.corrections("Sous-Chéf, sofware") == (["sous-chef, software"], True)


def top(api, q):
    result = api.get(f"/v1/occupations?q={q}")
    assert result.status == 200, result
    return result.json["items"]


@pytest.mark.parametrize(
    "query, code",
    [
        ("acountants", "13-2011.00"),
        ("mechanical%20enginer", "17-2141.00"),
        ("dental%20asistant", "31-9091.00"),
        ("registred%20nurce", "29-1141.00"),
        ("phramacist", None),  # no pharmacist in the sample: a typo still must not fail
        ("Sous-Ch%C3%A9f", None),
    ],
)
def test_typos_reach_the_occupation_through_the_handler(api, query, code):
    items = top(api, query)
    if code:
        assert items and items[0]["onet_code"] == code, items[:3]


def test_corrected_match_scores_below_the_typed_one(api):
    typed = top(api, "mechanical%20engineer")[0]
    corrected = top(api, "mechanical%20enginer")[0]
    assert typed["onet_code"] == corrected["onet_code"] == "17-2141.00"
    assert corrected["score"] < typed["score"]
