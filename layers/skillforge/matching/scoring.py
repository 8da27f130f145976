"""Scores of one skill profile against every occupation of a release, vectorised over the matrix.

The seed's formula (reported as `match_score` / `adjusted_score`, never used for ranking):
    required        = the occupation's elements with importance >= 3
    matched         = required elements the user has
    match_score     = |matched| / |required| x 100
    alignment       = mean over matched of min(user_level / required_level, 1)  (1 when no level is given)
    experience_w    = 1.0 without experience data, else 0.5 + 0.5 x min(years / years_expected(job_zone), 1)
    adjusted_score  = match_score x alignment x experience_w

The ranking score (docs/matching.md):
    direct_o = sum over e in U & R_o of g(u_e, L_oe) / |U | R_o|        (level-aware soft Jaccard)
               blended with the share of the user's technology skills the occupation uses, by input count
    g(u, L)  = exp(-(u - L)^2 / 2 sigma^2), or UNKNOWN_LEVEL_CREDIT when the user gave no level
    p        = softmax(direct / tau)                                     (which occupation the profile is from)
    score_o  = (1 - lambda) direct_o + lambda sum_j p_j S_jo             (S: Pearson of importance profiles)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from skillforge.matching.matrix import ReleaseMatrix

SIGMA = 1.0
TAU = 0.02
LAMBDA = 0.5
UNKNOWN_LEVEL_CREDIT = 0.8
# Typical related experience by job zone (O*NET Job Zone Reference), in years.
YEARS_EXPECTED = {1: 0.0, 2: 1.0, 3: 2.0, 4: 4.0, 5: 5.0}


@dataclass
class Profile:
    """The user's elements as matrix columns; `levels` holds NaN where no level was given."""

    columns: np.ndarray  # int indices into matrix elements
    levels: np.ndarray  # float, NaN = unknown
    tech_columns: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def from_pairs(cls, matrix: ReleaseMatrix, pairs: dict[str, float | None]) -> Profile:
        cols, levels, tech = [], [], []
        for element_id, level in pairs.items():
            j = matrix.element_index.get(element_id)
            if j is not None:
                cols.append(j)
                levels.append(np.nan if level is None else float(level))
            elif element_id in matrix.tech_index:
                tech.append(matrix.tech_index[element_id])
        return cls(
            np.array(cols, dtype=np.int64), np.array(levels, dtype=np.float32), np.array(tech, dtype=np.int64)
        )


@dataclass
class Scores:
    score: np.ndarray  # ranking score, 0-1 (clipped)
    direct: np.ndarray
    match_score: np.ndarray  # seed, 0-100
    adjusted_score: np.ndarray  # seed, 0-100


def level_credit(user_levels: np.ndarray, required: np.ndarray) -> np.ndarray:
    unknown = np.isnan(user_levels)
    diff = np.where(unknown, 0.0, user_levels) - required
    return np.where(unknown, UNKNOWN_LEVEL_CREDIT, np.exp(-0.5 * (diff / SIGMA) ** 2))


def experience_weights(matrix: ReleaseMatrix, years: float | None) -> np.ndarray:
    if years is None:
        return np.ones(len(matrix.codes), dtype=np.float32)
    expected = np.array([YEARS_EXPECTED.get(z or 0, 0.0) for z in matrix.job_zones], dtype=np.float32)
    ratio = np.where(expected > 0, np.minimum(years / np.where(expected > 0, expected, 1.0), 1.0), 1.0)
    return 0.5 + 0.5 * ratio


def score_all(matrix: ReleaseMatrix, profile: Profile, experience_years: float | None = None) -> Scores:
    n = len(matrix.codes)
    if n == 0 or (profile.columns.size == 0 and profile.tech_columns.size == 0):
        zeros = np.zeros(n, dtype=np.float32)
        return Scores(zeros, zeros, zeros, zeros)
    cols = profile.columns
    crit = matrix.critical[:, cols]  # (n, k)
    required_levels = matrix.level[:, cols]
    credit = level_credit(profile.levels[None, :], required_levels)
    required_count = matrix.required_count
    union = required_count + (~crit).sum(axis=1)  # |R_o| + user elements outside R_o
    direct = (crit * credit).sum(axis=1) / np.maximum(union, 1)
    if profile.tech_columns.size:
        # Technology skills carry no importance or level: the share of the person's technologies the
        # occupation uses, weighted by how many of the inputs they are.
        tech_fit = matrix.tech_uses[:, profile.tech_columns].mean(axis=1)
        k, t = cols.size, profile.tech_columns.size
        direct = (direct * k + tech_fit * t) / (k + t)

    z = (direct - direct.max()) / TAU
    posterior = np.exp(z).astype(np.float32)  # float32 like the similarity matrix: no 3 MB upcast per request
    posterior /= posterior.sum()
    score = (1 - LAMBDA) * direct + LAMBDA * (posterior @ matrix.similarity)

    matched = crit.sum(axis=1)
    match_score = 100.0 * matched / np.maximum(required_count, 1)
    user = np.where(np.isnan(profile.levels), np.inf, profile.levels)[None, :]
    ratio = np.minimum(user / np.maximum(required_levels, 1e-6), 1.0)
    alignment = np.where(matched > 0, (crit * ratio).sum(axis=1) / np.maximum(matched, 1), 0.0)
    adjusted = match_score * alignment * experience_weights(matrix, experience_years)
    return Scores(np.clip(score, 0, 1), direct, match_score, adjusted)
