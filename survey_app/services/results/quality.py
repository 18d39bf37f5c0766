"""Data quality of ballots: flags from analytics (straight-lining, speeders) and from the
open-link burst check, and the organizer's exclusions. Nothing is ever deleted: an
excluded ballot stays stored, leaves every figure, and can be counted again."""

from dataclasses import dataclass

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import select

import analytics
from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import Ballot, RespondentGroup, Survey, User
from survey_app.services.design import surveys
from survey_app.services.platform import audit
from survey_app.services.results.ballot_columns import load_counted

#: Flag codes → labels (Chinese msgids).
FLAG_LABELS = {
    "straight_lining": "所有评价相同",
    "speeder": "作答过快",
    "burst": "集中涌入（公开链接）",
}


@dataclass(frozen=True, slots=True)
class BallotFlags:
    ballot_id: str
    group: str
    ratings: int
    distinct_options: int
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QualityView:
    flagged: tuple[BallotFlags, ...]
    excluded: tuple[tuple[str, str, str], ...]  # ballot id, group, reason
    counted: int


def quality_view(survey: Survey) -> QualityView:
    """List the counted ballots that a check flags, and the excluded ones."""
    counted = load_counted(survey)
    answers, ballots = counted.answers, counted.facts
    too_fast = np.array([bool(fast) for _, fast, _, _ in ballots], dtype=np.bool_)
    checks = analytics.ballot_quality(answers, n_ballots=len(ballots), too_fast=too_fast)
    flags: dict[int, list[str]] = {}
    for name, indices in (("straight_lining", checks.straight_lining), ("speeder", checks.speeders)):
        for index in indices:
            flags.setdefault(index, []).append(name)
    for index, (*_facts, quality_flag, _day) in enumerate(ballots):
        if quality_flag == "burst":
            flags.setdefault(index, []).append("burst")
    ratings, distinct = _rating_summary(answers, len(ballots))
    flagged = tuple(
        BallotFlags(ballots[i][0], ballots[i][3], int(ratings[i]), int(distinct[i]), tuple(names))
        for i, names in sorted(flags.items())
    )
    return QualityView(flagged, _excluded(survey), len(ballots))


def _rating_summary(answers: analytics.AnswerColumns, n_ballots: int) -> tuple[np.ndarray, np.ndarray]:
    ratings = np.bincount(answers.ballot, minlength=n_ballots)
    pairs = np.unique(np.stack([answers.ballot, answers.option]), axis=1) if len(answers) else np.zeros((2, 0), int)
    distinct = np.bincount(pairs[0], minlength=n_ballots)
    return ratings, distinct


def _excluded(survey: Survey) -> tuple[tuple[str, str, str], ...]:
    rows = db.session.execute(
        select(Ballot.id, RespondentGroup.name, Ballot.excluded_reason)
        .join(RespondentGroup, RespondentGroup.id == Ballot.group_id)
        .where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(True))
        .order_by(Ballot.id)
    ).all()
    return tuple((ballot_id, group, reason or "") for ballot_id, group, reason in rows)


def set_exclusion(survey: Survey, ballot_id: str, exclude: bool, reason: str, actor: User) -> None:
    """Exclude a ballot from every figure (with a reason), or count it again; both logged."""
    surveys.require_not_archived(survey)
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None or ballot.survey_id != survey.id:
        raise NotFound(_("答卷不存在"))
    reason = reason.strip()
    if exclude and not reason:
        raise ValidationFailed(_("请填写排除的理由"))
    ballot.is_excluded = exclude
    ballot.excluded_reason = reason if exclude else None
    audit.record(actor, "ballot.exclude" if exclude else "ballot.include", "survey", survey.id,
                 ballot=ballot_id, reason=reason)
