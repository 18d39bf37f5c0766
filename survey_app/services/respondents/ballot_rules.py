"""What a ballot must contain, and checking a submitted one against it.

The same checks serve the phone page and the JSON API, so both speak in "answer keys":
`r-<subject>-<dimension>` for a rating, `q-<question>` for an extra question and `name`
for a named survey's respondent. A submission is a mapping from answer key to the list
of strings sent for it (an HTML form's natural shape); errors come back keyed the same
way, so the page shows each message next to the answer it concerns.

We check with plain functions rather than a dynamically built WTForms class: a ballot has
a hundred or more generated radio groups, conditional questions and a rule across
subjects (the 优秀 cap), and the API must apply identical rules without a form.
"""

import math
import re
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import (
    Dimension,
    Question,
    QuestionKind,
    RespondentGroup,
    ScaleKind,
    ScaleOption,
    Subject,
    Survey,
    Unit,
)
from survey_app.services.design import surveys

SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000
NAME_MAX = 50
COMMENT_MAX = 500
NUMBER_LIMIT = 1e9
#: Markup has no business in an answer; refusing it keeps stored text inert everywhere
#: it may later be shown (Excel, PDF, other systems), not only in our escaped pages.
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]|javascript:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # lone surrogates: no encoding stores them
_INTEGER = re.compile(r"^[0-9]{1,9}$")
_DECIMAL = re.compile(r"^-?[0-9]{1,12}(\.[0-9]{1,6})?$")
NAME_KEY = "name"
RULE_KEY = "ballot"


def rating_key(subject_id: int, dimension_id: int) -> str:
    return f"r-{subject_id}-{dimension_id}"


def question_key(question_id: int) -> str:
    return f"q-{question_id}"


def comment_key(subject_id: int) -> str:
    return f"c-{subject_id}"


class BallotInvalid(ValidationFailed):
    """A ballot that breaks a rule; `field_errors` maps answer keys to messages."""

    def __init__(self, field_errors: dict[str, str]):
        super().__init__(_("答卷有 %(n)d 处需要修改", n=len(field_errors)), list(field_errors.values()))
        self.field_errors = field_errors


@dataclass(frozen=True)
class BallotStructure:
    """Everything one group's ballot asks, in display order."""

    survey: Survey
    group: RespondentGroup
    subjects: list[Subject]
    dimensions: list[Dimension]
    options: list[ScaleOption]
    questions: list[Question]
    #: The option the 优秀 cap counts (the best-scored one), if the scale has options.
    top_option: ScaleOption | None
    #: How many subjects each dimension may give the top option; None means no cap.
    top_allowed: int | None
    option_by_id: dict[int, ScaleOption] = field(repr=False)
    #: The subjects' units, held so the page renders `subject.unit` without a query each.
    units: list[Unit] = field(default_factory=list, repr=False)

    @property
    def uses_options(self) -> bool:
        return self.survey.scale_kind is ScaleKind.OPTIONS

    @property
    def is_named(self) -> bool:
        return not self.survey.is_anonymous

    @property
    def rating_count(self) -> int:
        return len(self.subjects) * len(self.dimensions)


def top_allowed(subject_count: int, cap_percent: int | None) -> int | None:
    """Return how many subjects may get the top option under a cap of `cap_percent`.

    Rounded down as the national rules do, but at least one, so a small ballot (three
    cadres under a 20% cap) can still name one 优秀.
    """
    if cap_percent is None or subject_count == 0:
        return None
    return max(1, math.floor(subject_count * cap_percent / 100))


def ballot_structure(survey: Survey, group: RespondentGroup) -> BallotStructure:
    """Collect what `group` is asked in `survey`."""
    subjects = group.subjects_to_rate()
    options = list(survey.scale_options) if survey.scale_kind is ScaleKind.OPTIONS else []
    scored = [o for o in options if not o.is_unknown]
    top = max(scored, key=lambda o: o.score) if scored else None
    return BallotStructure(
        survey=survey,
        group=group,
        subjects=subjects,
        dimensions=list(survey.dimensions),
        options=options,
        questions=list(survey.questions),
        top_option=top,
        top_allowed=top_allowed(len(subjects), survey.excellent_cap_percent) if top else None,
        option_by_id={o.id: o for o in options},
        units=surveys.units_of(subjects),
    )


# ---- the rules as plain data ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionRule:
    """An extra question as the checks need it (same attribute names as `Question`)."""

    id: int
    kind: QuestionKind
    options: tuple[str, ...]
    is_required: bool
    show_if_question_id: int | None
    show_if_values: tuple[str, ...]


@dataclass(frozen=True)
class BallotRules:
    """What a submission must contain, as plain data compiled from a BallotStructure.

    It holds no ORM object, so it outlives the request: a published survey's structure is
    locked (only wording may change), and `published_rules` keeps one copy per worker.
    """

    survey_id: int
    group_id: int
    #: (answer key, subject id, dimension id) of every rating, in display order.
    ratings: tuple[tuple[str, int, int], ...]
    #: Option id as sent → (option id, score); None when the scale is 0–100 scores.
    choices: Mapping[str, tuple[int, float | None]] | None
    #: (id, name) of the dimensions, for the 优秀 cap and its message.
    dimensions: tuple[tuple[int, str], ...]
    #: (id, label) of the capped top option, with how many per dimension may get it.
    top_option: tuple[int, str] | None
    top_allowed: int | None
    cap_percent: int | None
    questions: tuple[QuestionRule, ...]
    #: Subjects with a comment box (none when the survey has no comment boxes).
    comment_subjects: tuple[int, ...]
    is_named: bool
    #: Every answer key the ballot may carry (comment keys even without comment boxes:
    #: those are ignored, not refused).
    expected: frozenset[str]


def compile_rules(structure: BallotStructure) -> BallotRules:
    """Return the rules of `structure` as plain data."""
    subjects, dimensions = structure.subjects, structure.dimensions
    ratings = tuple((rating_key(s.id, d.id), s.id, d.id) for s in subjects for d in dimensions)
    questions = tuple(
        QuestionRule(q.id, q.kind, tuple(q.options or ()), q.is_required, q.show_if_question_id,
                     tuple(q.show_if_values or ()))
        for q in structure.questions
    )
    top = structure.top_option if structure.top_allowed is not None else None
    return BallotRules(
        survey_id=structure.survey.id,
        group_id=structure.group.id,
        ratings=ratings,
        choices={str(o.id): (o.id, o.score) for o in structure.options} if structure.uses_options else None,
        dimensions=tuple((d.id, d.name) for d in dimensions),
        top_option=(top.id, top.label) if top else None,
        top_allowed=structure.top_allowed,
        cap_percent=structure.survey.excellent_cap_percent,
        questions=questions,
        comment_subjects=tuple(s.id for s in subjects) if structure.survey.subject_comments else (),
        is_named=structure.is_named,
        expected=frozenset([key for key, _s, _d in ratings] + [question_key(q.id) for q in questions]
                           + [comment_key(s.id) for s in subjects]),
    )


#: Compiled rules of published surveys, per database engine (so per app and per test
#: database): (survey id, its creation time, group id) → BallotRules. The creation time
#: keeps a reused id (SQLite reuses the highest one after a deletion) from matching.
_RULES: "weakref.WeakKeyDictionary[object, dict[tuple, BallotRules]]" = weakref.WeakKeyDictionary()
_RULES_PER_ENGINE = 256
_RULES_LOCK = threading.Lock()


def published_rules(
    survey_id: int, created_at: datetime, group_id: int, load: Callable[[], BallotStructure]
) -> BallotRules:
    """Return the rules of a published survey's group, compiling `load()` at most once.

    Only for surveys past their draft: their structure can no longer change (every
    structural edit requires a draft, `surveys.WORDING_FIELDS`), so the rules never go
    stale; callers check that the survey is open (so published) first. Wording can
    change; messages that quote it come from a fresh check (`ballots._check_published`).
    """
    engine = db.engine
    key = (survey_id, created_at, group_id)
    rules = _RULES.get(engine, {}).get(key)
    if rules is None:
        rules = compile_rules(load())
        with _RULES_LOCK:  # gunicorn's threads share the cache
            cache = _RULES.setdefault(engine, {})
            if len(cache) >= _RULES_PER_ENGINE:
                cache.pop(next(iter(cache)))
            cache[key] = rules
    return rules


# ---- the checked result -----------------------------------------------------------------


class CheckedRating(NamedTuple):
    subject_id: int
    dimension_id: int
    option_id: int | None
    score: float | None


@dataclass(frozen=True)
class CheckedAnswer:
    question_id: int
    text: str | None = None
    number: float | None = None


@dataclass(frozen=True)
class CheckedComment:
    subject_id: int
    text: str


@dataclass(frozen=True)
class CheckedBallot:
    ratings: list[CheckedRating]
    answers: list[CheckedAnswer]
    respondent_name: str | None
    comments: list[CheckedComment] = field(default_factory=list)


# ---- checks -----------------------------------------------------------------------------


def _single(values: Sequence[str] | None) -> str | None:
    """Return the one value sent for a key, '' when none; None when several were sent."""
    if not values:
        return ""
    if len(values) > 1:
        return None
    return values[0].strip()


def _check_score(raw: str) -> float | str:
    """Return a 0–100 score, or an error message."""
    if not _DECIMAL.match(raw) or not 0 <= float(raw) <= 100:
        return _("请填写 0 到 100 之间的分数")
    return float(raw)


def _check_ratings(rules: BallotRules, values: Mapping[str, Sequence[str]], errors: dict) -> list[CheckedRating]:
    ratings = []
    append = ratings.append
    choices = rules.choices
    for key, subject_id, dimension_id in rules.ratings:
        sent = values.get(key)
        raw = sent[0].strip() if sent and len(sent) == 1 else _single(sent)
        if raw is None:
            errors[key] = _("每项只能选一个")
        elif raw == "":
            errors[key] = _("请选择") if choices is not None else _("请填写分数")
        elif choices is not None:
            chosen = choices.get(raw)
            if chosen is None and _INTEGER.match(raw):  # "007" names option 7, as int() reads it
                chosen = choices.get(str(int(raw)))
            if chosen is None:
                errors[key] = _("请在给出的选项中选择")
            else:
                append(CheckedRating(subject_id, dimension_id, *chosen))
        else:
            score = _check_score(raw)
            if isinstance(score, str):
                errors[key] = score
            else:
                append(CheckedRating(subject_id, dimension_id, None, score))
    return ratings


def _check_cap(rules: BallotRules, ratings: list[CheckedRating], errors: dict) -> None:
    if rules.top_allowed is None or rules.top_option is None:
        return
    top_id, top_label = rules.top_option
    counts = Counter(r.dimension_id for r in ratings if r.option_id == top_id)
    for dimension_id, dimension_name in rules.dimensions:
        chosen = counts.get(dimension_id, 0)
        if chosen > rules.top_allowed:
            errors[f"{RULE_KEY}-{dimension_id}"] = _(
                "“%(dimension)s”一项评为“%(top)s”的最多 %(allowed)d 人（%(percent)d%%），您评了 %(chosen)d 人，请调整",
                dimension=dimension_name,
                top=top_label,
                allowed=rules.top_allowed,
                percent=rules.cap_percent,
                chosen=chosen,
            )


def check_text(raw: str, limit: int) -> str | None:
    """Return an error message for free text, or None when it is acceptable."""
    if len(raw) > limit:
        return _("最多 %(limit)d 个字，您写了 %(length)d 个字", limit=limit, length=len(raw))
    if _MARKUP.search(raw):
        return _("请不要输入网页代码（尖括号标签等）")
    if _CONTROL.search(raw):
        return _("包含无法识别的字符")
    return None


def _question_values(question: Question | QuestionRule, raw_values: Sequence[str]) -> list[str] | str:
    """Return the cleaned answer values of one question, or an error message."""
    values = [v.strip() for v in raw_values if v.strip()]
    kind = question.kind
    if kind is QuestionKind.MULTIPLE_CHOICE:
        if len(set(values)) != len(values) or not set(values) <= set(question.options):
            return _("请在给出的选项中选择")
        return values
    if len(values) > 1:
        return _("这道题只能填一个答案")
    if not values:
        return []
    value = values[0]
    if kind is QuestionKind.SINGLE_CHOICE and value not in question.options:
        return _("请在给出的选项中选择")
    if kind is QuestionKind.NUMBER and (not _DECIMAL.match(value) or abs(float(value)) > NUMBER_LIMIT):
        return _("请填写一个数字")
    if kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
        problem = check_text(value, SHORT_TEXT_MAX if kind is QuestionKind.SHORT_TEXT else LONG_TEXT_MAX)
        if problem:
            return problem
    return [value]


def is_shown(question: Question | QuestionRule, chosen: Mapping[int, list[str]]) -> bool:
    """Return whether a question applies given the answers chosen so far."""
    if question.show_if_question_id is None:
        return True
    return bool(set(chosen.get(question.show_if_question_id, [])) & set(question.show_if_values))


def _to_answers(question: Question | QuestionRule, values: list[str]) -> list[CheckedAnswer]:
    if question.kind is QuestionKind.NUMBER:
        return [CheckedAnswer(question.id, number=float(v)) for v in values]
    return [CheckedAnswer(question.id, text=v) for v in values]


def _check_questions(rules: BallotRules, values: Mapping[str, Sequence[str]], errors: dict) -> list[CheckedAnswer]:
    chosen: dict[int, list[str]] = {}
    answers = []
    for question in rules.questions:
        if not is_shown(question, chosen):
            continue  # an answer to a question that no longer applies is dropped
        key = question_key(question.id)
        cleaned = _question_values(question, values.get(key) or [])
        if isinstance(cleaned, str):
            errors[key] = cleaned
            continue
        chosen[question.id] = cleaned
        if question.is_required and not cleaned:
            errors[key] = _("此题必答")
        answers.extend(_to_answers(question, cleaned))
    return answers


def _check_comments(rules: BallotRules, values: Mapping[str, Sequence[str]], errors: dict) -> list[CheckedComment]:
    comments = []  # a survey without comment boxes stores none, whatever was sent
    for subject_id in rules.comment_subjects:
        key = comment_key(subject_id)
        text = _single(values.get(key))
        if text is None:
            errors[key] = _("这道题只能填一个答案")
        elif text:
            problem = check_text(text, COMMENT_MAX)
            if problem:
                errors[key] = problem
            else:
                comments.append(CheckedComment(subject_id, text))
    return comments


def _check_name(rules: BallotRules, values: Mapping[str, Sequence[str]], errors: dict) -> str | None:
    if not rules.is_named:
        return None  # an anonymous survey never stores a name, whatever was sent
    name = _single(values.get(NAME_KEY))
    if not name:
        errors[NAME_KEY] = _("本次评价为实名评价，请填写您的姓名")
        return None
    problem = check_text(name, NAME_MAX)
    if problem:
        errors[NAME_KEY] = problem
    return name


def _check_unexpected(rules: BallotRules, values: Mapping[str, Sequence[str]], errors: dict) -> None:
    expected = rules.expected
    stray = [k for k in values if k not in expected and k.startswith(("r-", "q-", "c-"))]
    if stray:
        errors[RULE_KEY] = _("答卷包含不属于本问卷的内容，请刷新页面后重新填写")


def check_ballot(structure: BallotStructure | BallotRules, values: Mapping[str, Sequence[str]]) -> CheckedBallot:
    """Check a submission against the ballot; raise BallotInvalid listing every problem."""
    rules = structure if isinstance(structure, BallotRules) else compile_rules(structure)
    errors: dict[str, str] = {}
    _check_unexpected(rules, values, errors)
    ratings = _check_ratings(rules, values, errors)
    _check_cap(rules, ratings, errors)
    answers = _check_questions(rules, values, errors)
    comments = _check_comments(rules, values, errors)
    name = _check_name(rules, values, errors)
    if errors:
        raise BallotInvalid(errors)
    return CheckedBallot(ratings, answers, name, comments)
