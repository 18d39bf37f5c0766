"""Plausible random answers for demo data, shaped like a real 民主测评.

Each subject has a latent standing, each respondent a leniency; most ratings land on
优秀 or 称职 with some spread and a few 不了解. A chosen few subjects are rated lower by
the people they serve, so the later cross-check (相互印证) has disagreements to flag.
The result is a submission mapping that goes through the real checks and storage;
`simulate_ballots` fills a published survey that way (rehearsals, the demo, tests).
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from survey_app.models import QuestionKind, Survey
from survey_app.services.respondents import ballots, codes
from survey_app.services.respondents.ballot_rules import (
    BallotStructure,
    ballot_structure,
    is_shown,
    question_key,
    rating_key,
)

UNKNOWN_SHARE = 0.04
#: Latent cut-points from best to worst grade; e.g. above 0.75 → the top option.
CUTS = (0.75, -0.9, -1.9)
COMMENTS = (
    "工作扎实，服务热情。",
    "办事效率有待提高。",
    "希望多深入基层，倾听群众意见。",
    "作风务实，敢于担当。",
    "窗口服务态度需要改进。",
)
NAMES = ("市领导甲", "市领导乙", "市领导丙", "市领导丁", "市领导戊")


@dataclass(frozen=True)
class Population:
    """The hidden truth the simulated respondents perceive."""

    standing: dict[int, float]  # subject id → latent standing (about N(0.3, 0.7))
    disliked: frozenset[int]  # subjects the people they serve rate lower


def make_population(subject_ids: list[int], rng: random.Random) -> Population:
    standing = {sid: rng.gauss(0.3, 0.7) for sid in subject_ids}
    count = max(1, len(subject_ids) // 5) if subject_ids else 0
    return Population(standing, frozenset(rng.sample(subject_ids, count)))


def is_served_group(key: str, name: str) -> bool:
    return key == "served" or "服务对象" in name


def _grade(latent: float, grades: int) -> int:
    """Map a latent value to a grade index, 0 = best, for a scale of `grades` options."""
    steps = grades - 1
    cuts = CUTS if steps == len(CUTS) else [
        CUTS[0] - i * (CUTS[0] - CUTS[-1]) / max(1, steps - 1) for i in range(steps)
    ]
    for index, cut in enumerate(cuts):
        if latent > cut:
            return index
    return grades - 1


def _latent(population: Population, subject_id: int, leniency: float, served: bool, rng: random.Random) -> float:
    value = population.standing[subject_id] + leniency + rng.gauss(0, 0.6)
    if served and subject_id in population.disliked:
        value -= 1.6
    return value


def _rating_values(structure: BallotStructure, population: Population, served: bool, rng: random.Random) -> dict:
    scored = sorted((o for o in structure.options if not o.is_unknown), key=lambda o: -o.score)
    unknown = next((o for o in structure.options if o.is_unknown), None)
    leniency = rng.gauss(0, 0.35)
    values = {}
    for subject in structure.subjects:
        for dimension in structure.dimensions:
            latent = _latent(population, subject.id, leniency, served, rng)
            if not structure.uses_options:
                values[rating_key(subject.id, dimension.id)] = str(max(0, min(100, round(78 + 12 * latent))))
            elif unknown and rng.random() < UNKNOWN_SHARE:
                values[rating_key(subject.id, dimension.id)] = str(unknown.id)
            else:
                values[rating_key(subject.id, dimension.id)] = str(scored[_grade(latent, len(scored))].id)
    _respect_cap(structure, values, scored, rng)
    return values


def _respect_cap(structure: BallotStructure, values: dict, scored: list, rng: random.Random) -> None:
    """Demote random extra top grades to the second grade, as a real respondent would."""
    if structure.top_allowed is None or len(scored) < 2:
        return
    top, second = str(scored[0].id), str(scored[1].id)
    for dimension in structure.dimensions:
        keys = [rating_key(s.id, dimension.id) for s in structure.subjects]
        tops = [k for k in keys if values[k] == top]
        for key in rng.sample(tops, max(0, len(tops) - structure.top_allowed)):
            values[key] = second


def _answer(kind: QuestionKind, options: list[str], required: bool, rng: random.Random) -> list[str]:
    if kind is QuestionKind.SINGLE_CHOICE:
        weights = [len(options) - i for i in range(len(options))]  # earlier options likelier
        return rng.choices(options, weights=weights)
    if kind is QuestionKind.MULTIPLE_CHOICE:
        return rng.sample(options, rng.randint(1, min(3, len(options))))
    if kind is QuestionKind.NUMBER:
        return [str(rng.randint(1, 10))]
    if required or rng.random() < 0.25:
        return [rng.choice(COMMENTS)]
    return []


def _question_values(structure: BallotStructure, rng: random.Random) -> dict:
    chosen: dict[int, list[str]] = {}
    values = {}
    for question in structure.questions:
        if not is_shown(question, chosen):
            continue
        answer = _answer(question.kind, list(question.options), question.is_required, rng)
        chosen[question.id] = answer
        if answer:
            values[question_key(question.id)] = answer
    return values


def random_submission(structure: BallotStructure, population: Population, rng: random.Random) -> dict[str, list[str]]:
    """Return one plausible respondent's submission mapping for this ballot."""
    served = is_served_group(structure.group.key, structure.group.name)
    values = {key: [value] for key, value in _rating_values(structure, population, served, rng).items()}
    values.update(_question_values(structure, rng))
    if structure.is_named:
        values["name"] = [rng.choice(NAMES)]
    return values


# ---- filling a survey ---------------------------------------------------------------------


def _moment_in_window(survey: Survey, rng: random.Random) -> datetime:
    """Return a time inside the survey's window (now when it has none)."""
    now = datetime.now(UTC)
    start = ballots.as_utc(survey.opens_at) if survey.opens_at else None
    end = ballots.as_utc(survey.closes_at) if survey.closes_at else None
    if start and end:
        return start + (end - start) * rng.uniform(0.1, 0.9)
    if end and end <= now:
        return end - timedelta(hours=1)
    return max(now, start) if start else now


def _default_counts(survey: Survey, rng: random.Random) -> dict[str, int]:
    """About 85–100% turnout of each group's expected count (10 when it has none)."""
    return {g.key: round((g.expected_count or 10) * rng.uniform(0.85, 1.0)) for g in survey.groups}


def simulate_ballots(
    survey: Survey,
    count_per_group: dict[str, int] | None,
    rng: random.Random,
    *,
    now: datetime | None = None,
) -> int:
    """Issue codes and submit plausible random ballots through the real path; return how many.

    `count_per_group` maps group keys to ballot counts (default: about the expected
    turnout). The survey must be published; its status is not changed. `now` defaults to
    a moment inside the survey's window, so a past survey can be filled too.
    """
    moment = now or _moment_in_window(survey, rng)
    counts = count_per_group if count_per_group is not None else _default_counts(survey, rng)
    population = make_population([s.id for s in survey.subjects], rng)
    stored = 0
    for group in survey.groups:
        count = counts.get(group.key, 0)
        if count <= 0:
            continue
        issued = codes.issue_batch(survey, group, count, actor=None)
        structure = ballot_structure(survey, group)
        for code in issued.codes:
            values = random_submission(structure, population, rng)
            key = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=22))
            ballots.submit_with_code(code, values, key, moment, duration_seconds=rng.randint(90, 900))
            stored += 1
    return stored
