"""What respondents wrote and chose beyond the ratings: extra questions' tallies and
statistics, open-question answers and per-subject comments (意见建议), as view models for
the 意见与答案 page, the exports and the results API.

The rules (docs/anonymity.md, "Answers and comments"):

- a group below its minimum size is never shown on its own: its choices, numbers, answers
  and comments are withheld, counted in a note, and left out of every total (so no total
  minus the shown groups gives them away);
- texts are listed in a stable shuffle (a hash of the survey and the text's own random id),
  never in submission order and never in ballot order, so a list cannot be lined up with
  another list or with the raw ballots;
- every text is masked (services/results/redaction.py) before it leaves this module; the original
  comes along only when the caller asks for it (administrators on the page);
- a unit-scoped user sees the comments on the subjects of his units, and the tallies and
  statistics of the survey-wide questions, but not their texts: a free answer to a
  survey-wide question may be about any unit, so it cannot be scoped.
"""

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select

from analytics.answers import ChoiceTally, NumberSummary, choice_tally, number_summary
from survey_app.extensions import db
from survey_app.models import Answer, Ballot, Followup, QuestionKind, SubjectComment, Survey
from survey_app.services.results import redaction
from survey_app.services.results.report_models import SurveyReport

CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
TEXT_KINDS = (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT)
MAX_QUERY = 100


@dataclass(frozen=True, slots=True)
class Withheld:
    """Answers not shown because their group is below its minimum size."""

    count: int = 0
    groups: tuple[str, ...] = ()
    #: For a question shown only after a given choice, how many of a small group answered
    #: it would tell how many of them made that choice: neither count nor groups are given,
    #: only that small groups' answers (if any) are not shown.
    is_count_hidden: bool = False

    @property
    def has_note(self) -> bool:
        return bool(self.count) or self.is_count_hidden


@dataclass(frozen=True, slots=True)
class TextItem:
    """One answer or comment as shown: masked, with its (reportable) group."""

    kind: str  # "answer" or "comment"
    id: str
    group: str
    text: str
    original: str | None  # only when the caller may see it and it differs
    subject_id: int | None = None
    subject: str = ""
    question: str = ""
    followup_id: int | None = None


@dataclass(frozen=True, slots=True)
class ChoiceQuestion:
    question_id: int
    prompt: str
    kind: QuestionKind
    tally: ChoiceTally  # reportable groups only; the total sums those
    withheld: Withheld


@dataclass(frozen=True, slots=True)
class NumberQuestion:
    question_id: int
    prompt: str
    total: NumberSummary  # reportable groups only
    by_group: tuple[tuple[str, NumberSummary], ...]
    withheld: Withheld


@dataclass(frozen=True, slots=True)
class TextQuestion:
    question_id: int
    prompt: str
    items: tuple[TextItem, ...]
    withheld: Withheld
    is_hidden_by_scope: bool = False


@dataclass(frozen=True, slots=True)
class SubjectComments:
    subject_id: int
    key: str
    name: str
    unit: str
    items: tuple[TextItem, ...]
    withheld: Withheld


@dataclass(frozen=True, slots=True)
class AnswersView:
    survey_id: int
    title: str
    choices: tuple[ChoiceQuestion, ...]
    numbers: tuple[NumberQuestion, ...]
    texts: tuple[TextQuestion, ...]
    comments: tuple[SubjectComments, ...]
    query: str = ""
    is_scoped: bool = False
    has_comment_boxes: bool = False

    def text_items(self) -> list[TextItem]:
        """Every shown text, answers first (the CSV's rows)."""
        return [item for q in self.texts for item in q.items] + [item for c in self.comments for item in c.items]

    def find(self, kind: str, text_id: str) -> TextItem | None:
        """The shown item with this id, or None when it is not shown to this user."""
        return next((item for item in self.text_items() if item.kind == kind and item.id == text_id), None)


def shuffle_key(survey_id: int, text_id: str) -> str:
    """The sort key of a text: stable for a survey, unrelated to when it was sent."""
    return hashlib.sha256(f"{survey_id}:{text_id}".encode()).hexdigest()


def _group_sizes(survey: Survey) -> dict[int, int]:
    """Counted ballots per group id (excluded ballots do not count)."""
    rows = db.session.execute(
        select(Ballot.group_id, func.count())
        .where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(False))
        .group_by(Ballot.group_id)
    ).all()
    return dict(rows)


def _withheld(groups: Counter) -> Withheld:
    return Withheld(sum(groups.values()), tuple(sorted(groups)))


def _answer_rows(survey: Survey) -> list[tuple]:
    """(answer id, question id, text, number, group id, ballot id) of the counted ballots."""
    return db.session.execute(
        select(Answer.id, Answer.question_id, Answer.value_text, Answer.value_number, Ballot.group_id, Ballot.id)
        .join(Ballot, Ballot.id == Answer.ballot_id)
        .where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(False))
    ).all()


def _followups(survey: Survey) -> dict[str, int]:
    rows = db.session.execute(
        select(Followup.id, Followup.answer_id, Followup.comment_id).where(Followup.survey_id == survey.id)).all()
    return {answer_id or comment_id: followup_id for followup_id, answer_id, comment_id in rows}


class _Builder:
    """Builds one survey's view: shared lookups, one query per kind of row."""

    def __init__(self, survey: Survey, report: SurveyReport, unit_ids: set[int] | None, query: str,
                 with_originals: bool):
        self.survey = survey
        self.report = report
        self.unit_ids = unit_ids
        self.query = query.strip()[:MAX_QUERY].casefold()
        self.with_originals = with_originals
        sizes = _group_sizes(survey)
        self.group_name = {g.id: g.name for g in survey.groups}
        self.reportable = {g.id for g in survey.groups if sizes.get(g.id, 0) >= g.min_size}
        self.has_small_group = len(self.reportable) < len(survey.groups)
        self.followups = _followups(survey)

    def item(self, kind: str, text_id: str, text: str, fragments, group_id: int, **extra) -> TextItem | None:
        shown = redaction.redact(text, fragments)
        if self.query and self.query not in shown.casefold():
            return None  # the search reads the masked form only: it must not find what is hidden
        original = text if self.with_originals and text != shown else None
        return TextItem(kind, text_id, self.group_name[group_id], shown, original,
                        followup_id=self.followups.get(text_id), **extra)

    def sorted_items(self, items) -> tuple[TextItem, ...]:
        return tuple(sorted((i for i in items if i is not None), key=lambda i: shuffle_key(self.survey.id, i.id)))

    # ---- extra questions -----------------------------------------------------------

    def questions(self):
        rows_by_question: dict[int, list[tuple]] = defaultdict(list)
        for row in _answer_rows(self.survey):
            rows_by_question[row[1]].append(row)
        shown_text = [r[0] for rows in rows_by_question.values() for r in rows if r[4] in self.reportable]
        fragments = redaction.fragments_by_text(answer_ids=shown_text) if self.unit_ids is None else {}
        choices, numbers, texts = [], [], []
        for question in self.survey.questions:
            rows = rows_by_question.get(question.id, [])
            kept = [r for r in rows if r[4] in self.reportable]
            hidden = [r for r in rows if r[4] not in self.reportable]
            if question.kind in CHOICE_KINDS:  # respondents, as the tally counts them
                hidden = list({r[5]: r for r in hidden}.values())
            withheld = _withheld(Counter(self.group_name[r[4]] for r in hidden))
            if question.show_if_question_id is not None:
                # Shown whenever the survey has a small group, answered or not: its presence
                # says nothing either.
                withheld = Withheld(is_count_hidden=self.has_small_group)
            if question.kind in CHOICE_KINDS:
                choices.append(self.choice(question, kept, withheld))
            elif question.kind is QuestionKind.NUMBER:
                numbers.append(self.number(question, kept, withheld))
            else:
                texts.append(self.text(question, kept, withheld, fragments))
        return tuple(choices), tuple(numbers), tuple(texts)

    def reportable_groups(self):
        return [g for g in self.survey.groups if g.id in self.reportable]

    def choice(self, question, rows, withheld: Withheld) -> ChoiceQuestion:
        groups = self.reportable_groups()
        group_index = {g.id: i for i, g in enumerate(groups)}
        option_index = {label: i for i, label in enumerate(question.options)}
        ballots: dict[str, int] = {}
        numbered = [(ballots.setdefault(r[5], len(ballots)), group_index[r[4]], option_index.get(r[2] or "", -1))
                    for r in rows]
        columns = np.array(numbered, dtype=np.int64).reshape(-1, 3)
        tally = choice_tally(question.options, [g.name for g in groups], columns[:, 0], columns[:, 1], columns[:, 2])
        return ChoiceQuestion(question.id, question.prompt, question.kind, tally, withheld)

    def number(self, question, rows, withheld: Withheld) -> NumberQuestion:
        values = defaultdict(list)
        for r in rows:
            if r[3] is not None:
                values[r[4]].append(r[3])
        by_group = tuple((g.name, number_summary(values[g.id])) for g in self.reportable_groups())
        total = number_summary([v for vs in values.values() for v in vs])
        return NumberQuestion(question.id, question.prompt, total, by_group, withheld)

    def text(self, question, rows, withheld: Withheld, fragments) -> TextQuestion:
        if self.unit_ids is not None:
            return TextQuestion(question.id, question.prompt, (), Withheld(), is_hidden_by_scope=True)
        items = (self.item("answer", r[0], r[2] or "", fragments.get(r[0], ()), r[4], question=question.prompt)
                 for r in rows if (r[2] or "").strip())
        return TextQuestion(question.id, question.prompt, self.sorted_items(items), withheld)

    # ---- per-subject comments ------------------------------------------------------

    def comments(self) -> tuple[SubjectComments, ...]:
        rows_by_subject: dict[int, list[tuple]] = defaultdict(list)
        for row in db.session.execute(
            select(SubjectComment.id, SubjectComment.subject_id, SubjectComment.text, Ballot.group_id)
            .join(Ballot, Ballot.id == SubjectComment.ballot_id)
            .where(Ballot.survey_id == self.survey.id, Ballot.is_excluded.is_(False))
        ):
            rows_by_subject[row[1]].append(row)
        # The report is already scoped: its rows are the subjects this user may see.
        rows = [row for row in self.report.subjects if rows_by_subject.get(row.subject_id)]
        group_ids = [g.id for g in self.survey.groups]
        shown_ids, per_subject = [], []
        for row in rows:
            # A subject's comments follow its own figures: a group shown on the subject's page.
            allowed = {gid for gid, g in zip(group_ids, row.groups, strict=True) if g.is_reportable}
            kept = [r for r in rows_by_subject[row.subject_id] if r[3] in allowed]
            hidden = Counter(self.group_name[r[3]] for r in rows_by_subject[row.subject_id] if r[3] not in allowed)
            shown_ids += [r[0] for r in kept]
            per_subject.append((row, kept, _withheld(hidden)))
        fragments = redaction.fragments_by_text(comment_ids=shown_ids)
        return tuple(
            SubjectComments(row.subject_id, row.key, row.name, row.unit, self.sorted_items(
                self.item("comment", r[0], r[2], fragments.get(r[0], ()), r[3], subject_id=row.subject_id,
                          subject=row.name) for r in kept), withheld)
            for row, kept, withheld in per_subject
        )


def answers_view(survey: Survey, report: SurveyReport, unit_ids: set[int] | None, *, query: str = "",
                 with_originals: bool = False) -> AnswersView:
    """Build the answers and comments a user may read.

    `report` is the results report scoped for the same user (`report_models.scoped`), which
    decides which subjects' comments are visible and which groups each subject may show.
    """
    builder = _Builder(survey, report, unit_ids, query, with_originals)
    choices, numbers, texts = builder.questions()
    return AnswersView(
        survey_id=survey.id, title=survey.title, choices=choices, numbers=numbers, texts=texts,
        comments=builder.comments(), query=builder.query, is_scoped=unit_ids is not None,
        has_comment_boxes=survey.subject_comments,
    )


def subject_comments(view: AnswersView, subject_id: int) -> SubjectComments | None:
    """The comments on one subject from a view (the subject's results page)."""
    return next((c for c in view.comments if c.subject_id == subject_id), None)
