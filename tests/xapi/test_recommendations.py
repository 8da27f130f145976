"""Interest Profiler recommendations as a pure function (correlation with O*NET Interests, by job zone)."""

from __future__ import annotations

import pytest

from skillforge.xapi.recommendations import (
    OccupationInterests,
    ProfileError,
    high_point_code,
    normalise_profile,
    rank_occupations,
)

OCCUPATIONS = [
    OccupationInterests(
        "15-1252.00",
        "Software Developers",
        4,
        {"R": 3.93, "I": 5.86, "A": 2.26, "S": 1.88, "E": 1.87, "C": 5.46},
    ),
    OccupationInterests(
        "29-1141.00", "Registered Nurses", 3, {"R": 3.2, "I": 4.5, "A": 1.8, "S": 6.6, "E": 2.2, "C": 3.3}
    ),
    OccupationInterests(
        "47-2111.00", "Electricians", 3, {"R": 6.9, "I": 3.7, "A": 1.6, "S": 1.5, "E": 1.9, "C": 3.6}
    ),
    OccupationInterests(
        "13-2011.00",
        "Accountants and Auditors",
        4,
        {"R": 1.4, "I": 3.9, "A": 1.3, "S": 1.9, "E": 3.7, "C": 6.8},
    ),
    OccupationInterests("99-9999.00", "Flat profile", 3, {x: 4.0 for x in "RIASEC"}),
]


def test_identical_profile_correlates_perfectly_and_ranks_first():
    ranked = rank_occupations(OCCUPATIONS[0].scores, OCCUPATIONS)
    assert ranked[0].onet_code == "15-1252.00" and ranked[0].correlation == pytest.approx(1.0)
    assert [r.correlation for r in ranked] == sorted((r.correlation for r in ranked), reverse=True)
    assert "99-9999.00" not in [r.onet_code for r in ranked]  # no variance: no correlation


def test_scale_and_shift_do_not_change_the_ranking():
    profile = {"R": 5, "I": 12, "A": 30, "S": 38, "E": 8, "C": 20}
    base = [r.onet_code for r in rank_occupations(profile, OCCUPATIONS)]
    scaled = {k: v * 3 + 7 for k, v in profile.items()}
    assert [r.onet_code for r in rank_occupations(scaled, OCCUPATIONS)] == base
    assert base[0] == "29-1141.00"


def test_job_zone_filters():
    ranked = rank_occupations({"R": 40, "I": 20, "A": 0, "S": 0, "E": 5, "C": 20}, OCCUPATIONS, job_zone=4)
    assert {r.job_zone for r in ranked} == {4}
    assert rank_occupations(OCCUPATIONS[2].scores, OCCUPATIONS, job_zone=5) == []


def test_correlation_matches_pearson():
    from statistics import correlation

    profile = {"R": 10, "I": 25, "A": 3, "S": 14, "E": 30, "C": 22}
    ranked = {r.onet_code: r.correlation for r in rank_occupations(profile, OCCUPATIONS)}
    for occ in OCCUPATIONS[:4]:
        expected = correlation([profile[x] for x in "RIASEC"], [occ.scores[x] for x in "RIASEC"])
        assert ranked[occ.onet_code] == pytest.approx(expected)


def test_limit_and_tie_break_by_code():
    twins = [
        OccupationInterests(code, code, 3, OCCUPATIONS[2].scores) for code in ("47-2111.02", "47-2111.01")
    ]
    ranked = rank_occupations(OCCUPATIONS[2].scores, OCCUPATIONS + twins, limit=2)
    assert [r.onet_code for r in ranked] == ["47-2111.00", "47-2111.01"]


@pytest.mark.parametrize(
    "profile, message",
    [
        ({"R": 1, "I": 2, "A": 3, "S": 4, "E": 5}, "lacks Conventional"),
        ({"R": 1, "I": 2, "A": 3, "S": 4, "E": 5, "C": "6"}, "must be a number"),
        ({"R": 1, "I": 2, "A": 3, "S": 4, "E": 5, "C": 6, "X": 1}, "not a RIASEC area"),
        ({x: 3 for x in "RIASEC"}, "all equal"),
    ],
)
def test_bad_profiles(profile, message):
    with pytest.raises(ProfileError, match=message):
        rank_occupations(profile, OCCUPATIONS)


def test_names_accepted_and_high_point_code():
    profile = normalise_profile({"realistic": 1, "Investigative": 9, "ARTISTIC": 2, "s": 8, "E": 3, "C": 9})
    assert high_point_code(profile) == "ICS"
