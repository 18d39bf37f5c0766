"""The rectification loop (整改): a respondent's comment or answer is sent (转办) to a unit
with a due date, the unit's reply is recorded (已答复), and the item is closed as fixed
(已整改) or not taken up (不予采纳, with the reason). Every step is audited.

Who: organizers and administrators. A unit-scoped organizer sends only comments on his
units' subjects, only to his units, and sees and changes only items about those subjects;
items about survey-wide answers are for unscoped staff (the answers cannot be scoped,
services/results/answers.py). Viewers read the lists.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app import labels
from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import (
    Answer,
    Followup,
    FollowupStatus,
    Subject,
    SubjectComment,
    Survey,
    Unit,
    User,
)
from survey_app.services.platform import audit
from survey_app.services.platform.plain_values import has_control_characters
from survey_app.services.results import redaction

STATUS_LABELS = labels.FOLLOWUP_STATUS
OPEN = (FollowupStatus.FORWARDED, FollowupStatus.REPLIED)
#: action → (states it starts from, state it leads to)
STEPS = {
    "reply": ((FollowupStatus.FORWARDED, FollowupStatus.REPLIED), FollowupStatus.REPLIED),
    "rectify": ((FollowupStatus.REPLIED,), FollowupStatus.RECTIFIED),
    "decline": ((FollowupStatus.FORWARDED, FollowupStatus.REPLIED), FollowupStatus.DECLINED),
}
MAX_REPLY = 2000
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class FollowupView:
    id: int
    survey_id: int
    survey_title: str
    subject: str  # "" for a survey-wide answer
    subject_key: str | None
    text: str  # masked (services/results/redaction.py)
    unit: str
    due_on: date
    status: FollowupStatus
    status_label: str
    reply_text: str
    decline_reason: str
    is_open: bool
    is_overdue: bool


def _text_of(followup: Followup) -> Answer | SubjectComment:
    if followup.comment_id is not None:
        return db.session.get(SubjectComment, followup.comment_id)
    return db.session.get(Answer, followup.answer_id)


def _subject_unit_ids(followup: Followup) -> set[int | None]:
    if followup.comment_id is None:
        return set()
    comment = db.session.get(SubjectComment, followup.comment_id)
    subject = db.session.get(Subject, comment.subject_id)
    return {subject.unit_id}


def is_visible(followup: Followup, unit_ids: set[int] | None) -> bool:
    """Whether a user with this unit scope may see (and, as organizer, change) the item."""
    return unit_ids is None or bool(_subject_unit_ids(followup) & unit_ids)


def _check_due(due_on: date | None, today: date) -> date:
    if due_on is None:
        raise ValidationFailed(_("请填写办结时限（日期）"))
    if due_on < today:
        raise ValidationFailed(_("办结时限不能早于今天"))
    return due_on


def _check_unit(unit_id: int | None, unit_ids: set[int] | None) -> Unit:
    # Ids are 32-bit in every database we run on; PostgreSQL refuses to compare a larger one.
    unit = db.session.get(Unit, unit_id) if unit_id and 0 < unit_id < 2**31 else None
    if unit is None:
        raise ValidationFailed(_("请选择承办单位"))
    if unit_ids is not None and unit.id not in unit_ids:
        raise ValidationFailed(_("只能转办给您权限范围内的单位"))
    return unit


def forward(survey: Survey, text: Answer | SubjectComment, unit_id: int | None, due_on: date | None,
            actor: User, unit_ids: set[int] | None, today: date) -> Followup:
    """Send a shown comment or answer to a unit (转办). The caller checked the text is shown
    to the actor (answers.AnswersView.find)."""
    unit = _check_unit(unit_id, unit_ids)
    due_on = _check_due(due_on, today)
    is_comment = isinstance(text, SubjectComment)
    column = Followup.comment_id if is_comment else Followup.answer_id
    if db.session.scalar(select(Followup.id).where(column == text.id)) is not None:
        raise ValidationFailed(_("这条意见已经转办"))
    subject = db.session.get(Subject, text.subject_id) if is_comment else None
    followup = Followup(survey_id=survey.id, unit_id=unit.id, due_on=due_on, created_by_id=actor.id,
                        subject_key=subject.key if subject else None, status=FollowupStatus.FORWARDED,
                        reply_text="", decline_reason="")
    if is_comment:
        followup.comment_id = text.id
    else:
        followup.answer_id = text.id
    db.session.add(followup)
    db.session.flush()
    audit.record(actor, "followup.forward", "followup", followup.id, survey_id=survey.id, unit=unit.name,
                 due_on=due_on.isoformat(), subject=subject.name if subject else None)
    return followup


def get_followup(followup_id: int, unit_ids: set[int] | None) -> Followup:
    followup = db.session.get(Followup, followup_id)
    if followup is None or not is_visible(followup, unit_ids):
        raise NotFound(_("没有这个转办事项，或不在您的权限范围内"))
    return followup


def advance(followup: Followup, action: str, actor: User, *, reply_text: str = "", reason: str = "",
            due_on: date | None = None, today: date) -> None:
    """Record one step: the unit's reply, the fix, or not taking the item up (with the reason).

    "due" moves the due date of an open item instead.
    """
    if action == "due":
        _move_due(followup, due_on, actor, today)
        return
    if action not in STEPS or followup.status not in STEPS[action][0]:
        raise ValidationFailed(_("当前状态下不能执行此操作"))
    reply_text, reason = reply_text.strip(), reason.strip()
    if has_control_characters(reply_text) or has_control_characters(reason):
        raise ValidationFailed(_("文字中含有不可见的控制字符"))
    if action == "reply":
        if not reply_text:
            raise ValidationFailed(_("请填写承办单位的答复"))
        if len(reply_text) > MAX_REPLY:
            raise ValidationFailed(_("答复最多 %(n)d 个字", n=MAX_REPLY))
        followup.reply_text = reply_text
    if action == "decline":
        if not reason:
            raise ValidationFailed(_("不予采纳时请说明理由"))
        if len(reason) > MAX_REASON:
            raise ValidationFailed(_("理由最多 %(n)d 个字", n=MAX_REASON))
        followup.decline_reason = reason
    before = followup.status
    followup.status = STEPS[action][1]
    audit.record(actor, f"followup.{action}", "followup", followup.id, survey_id=followup.survey_id,
                 status_before=before.value, status=followup.status.value,
                 **({"reason": reason} if action == "decline" else {}))
    db.session.flush()


def _move_due(followup: Followup, due_on: date | None, actor: User, today: date) -> None:
    if followup.status not in OPEN:
        raise ValidationFailed(_("已办结的事项不能修改时限"))
    before = followup.due_on
    followup.due_on = _check_due(due_on, today)
    audit.record(actor, "followup.due", "followup", followup.id, survey_id=followup.survey_id,
                 due_before=before.isoformat(), due_on=followup.due_on.isoformat())
    db.session.flush()


def _view(followup: Followup, today: date, fragments: dict[str, list[str]]) -> FollowupView:
    text = _text_of(followup)
    original = text.text if isinstance(text, SubjectComment) else (text.value_text or "")
    subject = db.session.get(Subject, text.subject_id) if isinstance(text, SubjectComment) else None
    survey = db.session.get(Survey, followup.survey_id)
    is_open = followup.status in OPEN
    return FollowupView(
        id=followup.id, survey_id=followup.survey_id, survey_title=survey.title,
        subject=subject.name if subject else "", subject_key=followup.subject_key,
        text=redaction.redact(original, fragments.get(text.id, ())), unit=followup.unit.name,
        due_on=followup.due_on, status=followup.status, status_label=str(STATUS_LABELS[followup.status]),
        reply_text=followup.reply_text, decline_reason=followup.decline_reason,
        is_open=is_open, is_overdue=is_open and followup.due_on < today,
    )


def views(followups: list[Followup], unit_ids: set[int] | None, today: date) -> list[FollowupView]:
    """The items this scope may see, as views, overdue first, then by due date."""
    shown = [f for f in followups if is_visible(f, unit_ids)]
    fragments = redaction.fragments_by_text(
        answer_ids=[f.answer_id for f in shown if f.answer_id],
        comment_ids=[f.comment_id for f in shown if f.comment_id])
    result = [_view(f, today, fragments) for f in shown]
    return sorted(result, key=lambda v: (not v.is_overdue, not v.is_open, v.due_on, v.id))


def open_items(unit_ids: set[int] | None, today: date, survey_id: int | None = None) -> list[FollowupView]:
    """Open items (已转办, 已答复) of every survey or one, overdue ones first."""
    query = select(Followup).where(Followup.status.in_(OPEN))
    if survey_id is not None:
        query = query.where(Followup.survey_id == survey_id)
    return views(list(db.session.scalars(query)), unit_ids, today)


def for_survey(survey: Survey, unit_ids: set[int] | None, today: date) -> list[FollowupView]:
    return views(list(db.session.scalars(select(Followup).where(Followup.survey_id == survey.id))), unit_ids, today)


def for_subject(survey_id: int, subject_id: int, unit_ids: set[int] | None, today: date) -> list[FollowupView]:
    """Items about the comments on one subject of one survey (its results page)."""
    query = (select(Followup).join(SubjectComment, SubjectComment.id == Followup.comment_id)
             .where(Followup.survey_id == survey_id, SubjectComment.subject_id == subject_id))
    return views(list(db.session.scalars(query)), unit_ids, today)


def for_subject_key(key: str, unit_ids: set[int] | None, today: date) -> list[FollowupView]:
    """Items about a cadre's comments in every survey (the dossier)."""
    return views(list(db.session.scalars(select(Followup).where(Followup.subject_key == key))), unit_ids, today)


def visible_units(unit_ids: set[int] | None) -> list[Unit]:
    """Units a user may send items to."""
    query = select(Unit).order_by(Unit.category, Unit.name)
    if unit_ids is not None:
        query = query.where(Unit.id.in_(unit_ids))
    return list(db.session.scalars(query))
