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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _

from survey_app.errors import ValidationFailed
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
from survey_app.services import surveys

SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000
NAME_MAX = 50
COMMENT_MAX = 500
NUMBER_LIMIT = 1e9
#: Markup has no business in an answer; refusing it keeps stored text inert everywhere
#: it may later be shown (Excel, PDF, other systems), not only in our escaped pages.
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]|javascript:", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
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


# ---- the checked result -----------------------------------------------------------------


@dataclass(frozen=True)
class CheckedRating:
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


def _check_rating(structure: BallotStructure, raw: str) -> tuple[int | None, float | None] | str:
    """Return (option_id, score) for a rating value, or an error message."""
    if structure.uses_options:
        option = structure.option_by_id.get(int(raw)) if _INTEGER.match(raw) else None
        if option is None:
            return _("请在给出的选项中选择")
        return option.id, option.score
    if not _DECIMAL.match(raw) or not 0 <= float(raw) <= 100:
        return _("请填写 0 到 100 之间的分数")
    return None, float(raw)


def _check_ratings(structure: BallotStructure, values: Mapping[str, Sequence[str]], errors: dict) -> list[CheckedRating]:
    ratings = []
    for subject in structure.subjects:
        for dimension in structure.dimensions:
            key = rating_key(subject.id, dimension.id)
            raw = _single(values.get(key))
            if raw is None:
                errors[key] = _("每项只能选一个")
                continue
            if raw == "":
                errors[key] = _("请选择") if structure.uses_options else _("请填写分数")
                continue
            checked = _check_rating(structure, raw)
            if isinstance(checked, str):
                errors[key] = checked
            else:
                ratings.append(CheckedRating(subject.id, dimension.id, *checked))
    return ratings


def _check_cap(structure: BallotStructure, ratings: list[CheckedRating], errors: dict) -> None:
    if structure.top_allowed is None:
        return
    top_id = structure.top_option.id
    for dimension in structure.dimensions:
        chosen = [r for r in ratings if r.dimension_id == dimension.id and r.option_id == top_id]
        if len(chosen) > structure.top_allowed:
            errors[f"{RULE_KEY}-{dimension.id}"] = _(
                "“%(dimension)s”一项评为“%(top)s”的最多 %(allowed)d 人（%(percent)d%%），您评了 %(chosen)d 人，请调整",
                dimension=dimension.name,
                top=structure.top_option.label,
                allowed=structure.top_allowed,
                percent=structure.survey.excellent_cap_percent,
                chosen=len(chosen),
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


def _question_values(question: Question, raw_values: Sequence[str]) -> list[str] | str:
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


def is_shown(question: Question, chosen: Mapping[int, list[str]]) -> bool:
    """Return whether a question applies given the answers chosen so far."""
    if question.show_if_question_id is None:
        return True
    return bool(set(chosen.get(question.show_if_question_id, [])) & set(question.show_if_values))


def _to_answers(question: Question, values: list[str]) -> list[CheckedAnswer]:
    if question.kind is QuestionKind.NUMBER:
        return [CheckedAnswer(question.id, number=float(v)) for v in values]
    return [CheckedAnswer(question.id, text=v) for v in values]


def _check_questions(structure: BallotStructure, values: Mapping[str, Sequence[str]], errors: dict) -> list[CheckedAnswer]:
    chosen: dict[int, list[str]] = {}
    answers = []
    for question in structure.questions:
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


def _check_comments(structure: BallotStructure, values: Mapping[str, Sequence[str]], errors: dict) -> list[CheckedComment]:
    if not structure.survey.subject_comments:
        return []  # a survey without comment boxes stores none, whatever was sent
    comments = []
    for subject in structure.subjects:
        key = comment_key(subject.id)
        text = _single(values.get(key))
        if text is None:
            errors[key] = _("这道题只能填一个答案")
        elif text:
            problem = check_text(text, COMMENT_MAX)
            if problem:
                errors[key] = problem
            else:
                comments.append(CheckedComment(subject.id, text))
    return comments


def _check_name(structure: BallotStructure, values: Mapping[str, Sequence[str]], errors: dict) -> str | None:
    if not structure.is_named:
        return None  # an anonymous survey never stores a name, whatever was sent
    name = _single(values.get(NAME_KEY))
    if not name:
        errors[NAME_KEY] = _("本次评价为实名评价，请填写您的姓名")
        return None
    problem = check_text(name, NAME_MAX)
    if problem:
        errors[NAME_KEY] = problem
    return name


def _check_unexpected(structure: BallotStructure, values: Mapping[str, Sequence[str]], errors: dict) -> None:
    expected = {rating_key(s.id, d.id) for s in structure.subjects for d in structure.dimensions}
    expected |= {question_key(q.id) for q in structure.questions}
    expected |= {comment_key(s.id) for s in structure.subjects}
    stray = [k for k in values if k.startswith(("r-", "q-", "c-")) and k not in expected]
    if stray:
        errors[RULE_KEY] = _("答卷包含不属于本问卷的内容，请刷新页面后重新填写")


def check_ballot(structure: BallotStructure, values: Mapping[str, Sequence[str]]) -> CheckedBallot:
    """Check a submission against the ballot; raise BallotInvalid listing every problem."""
    errors: dict[str, str] = {}
    _check_unexpected(structure, values, errors)
    ratings = _check_ratings(structure, values, errors)
    _check_cap(structure, ratings, errors)
    answers = _check_questions(structure, values, errors)
    comments = _check_comments(structure, values, errors)
    name = _check_name(structure, values, errors)
    if errors:
        raise BallotInvalid(errors)
    return CheckedBallot(ratings, answers, name, comments)
