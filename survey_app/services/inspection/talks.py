"""Confidential talks (个别谈话) about a cadre: recording, editing, the list, one talk's view
model, and the view log (docs/inspection.md, "Talks").

Who may reach a talk is the policy's (permissions.CONFIDENTIAL and TALK: administrators and
the inspection team, within their unit scope); this module keeps the rules of the record:
a date not after today, a key that is a cadre's (in a survey that is not a draft or a
confirmed plan, `cadre_records`), a summary, and the person's name optional — by relation
only is the default. The audit entries of talks (created, changed, viewed) name the cadre,
the unit and the date, never the summary, the place or the person talked to.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from survey_app import labels
from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import Talk, TalkRelation, User, Visit, VisitCadre
from survey_app.models.inspection import visit_units
from survey_app.services.platform import audit
from survey_app.services.platform.plain_values import enum_member, has_control_characters
from survey_app.services.results import cadre_records

#: Audit target type of talks (never shown to staff off the inspection team, audit.py).
TARGET = "talk"
SUMMARY_MAX, NAME_MAX, PLACE_MAX, KEY_MAX = 5000, 100, 200, 64
EARLIEST = date(2000, 1, 1)
#: The fields of a talk, as the audit entry of a change names them (never their values).
FIELDS = ("subject_key", "held_on", "relation", "person_name", "place", "summary", "visit_id")
#: Formats of a logged view.
VIEW_FORMATS = ("page", "edit")


@dataclass(frozen=True, slots=True)
class TalkLine:
    """A talk in the list: who it was about, when, in which relation; never its content."""

    id: int
    subject_key: str
    subject_name: str
    unit: str
    held_on: date
    relation: TalkRelation
    named: bool  # whether a person's name was recorded (the name itself is not shown)
    recorded_by: str

    @property
    def relation_label(self) -> str:
        return str(labels.TALK_RELATION[self.relation])


@dataclass(frozen=True, slots=True)
class TalkView:
    """One talk with its content: only on its own page, for the inspection team."""

    id: int
    subject_key: str
    subject_name: str
    unit: str
    held_on: date
    relation: TalkRelation
    person_name: str
    place: str
    summary: str
    visit_id: int | None
    visit_title: str
    recorded_by: str
    created_at: datetime
    updated_at: datetime

    @property
    def relation_label(self) -> str:
        return str(labels.TALK_RELATION[self.relation])


def _user_name(user: User | None) -> str:
    return (user.display_name or user.username) if user else _("（已删除的账号）")


def current_cadre(key: str) -> cadre_records.CadreRecord | None:
    """The latest result record under `key` (name and unit of the cadre now), or None."""
    records = cadre_records.survey_records([key]) + cadre_records.plan_records([key]) if key else []
    return max(records, key=lambda r: r.order) if records else None


def _in_scope(scope: Collection[int] | None, unit_id: int | None) -> bool:
    return scope is None or unit_id in scope


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def clean_talk(data: Mapping[str, Any], today: date, scope: Collection[int] | None) -> dict[str, Any]:
    """Check a talk's fields; return them clean (with the cadre's name and unit) or raise
    ValidationFailed listing every problem. `scope`: the recorder's units (None: all)."""
    problems: list[str] = []
    key = _text(data, "subject_key")
    record = current_cadre(key) if key and len(key) <= KEY_MAX else None
    if not key:
        problems.append(_("请填写干部编号"))
    elif record is None:
        problems.append(_("没有找到编号为“%(key)s”的干部", key=key[:KEY_MAX]))
    elif not _in_scope(scope, record.unit_id):
        problems.append(_("只能记录本单位干部的谈话"))
    held_on = data.get("held_on")
    if not isinstance(held_on, date):
        problems.append(_("请填写谈话日期"))
    elif held_on > today:
        problems.append(_("谈话日期不能晚于今天（%(today)s）", today=today.isoformat()))
    elif held_on < EARLIEST:
        problems.append(_("谈话日期不能早于 2000 年"))
    relation = enum_member(TalkRelation, data.get("relation"))
    if relation is None:
        problems.append(_("请选择谈话对象与干部的关系（上级、同级、下级、服务对象、生活圈）"))
    person, place, summary = _text(data, "person_name"), _text(data, "place"), _text(data, "summary")
    if not summary:
        problems.append(_("请填写谈话要点"))
    for value, limit, message in ((person, NAME_MAX, _("谈话对象姓名不能超过 %(n)d 个字", n=NAME_MAX)),
                                  (place, PLACE_MAX, _("谈话地点不能超过 %(n)d 个字", n=PLACE_MAX)),
                                  (summary, SUMMARY_MAX, _("谈话要点不能超过 %(n)d 个字", n=SUMMARY_MAX))):
        if len(value) > limit:
            problems.append(message)
    if any(has_control_characters(value) for value in (key, person, place, summary)):
        problems.append(_("内容含有不可见的控制字符，请删除后再保存"))
    visit_id = data.get("visit_id") or None
    if visit_id is not None and record is not None and not _visit_concerns(visit_id, key, record.unit_id, scope):
        problems.append(_("所选考察记录不涉及该干部或其单位"))
    if problems:
        raise ValidationFailed(problems[0], problems)
    return {"subject_key": key, "subject_name": record.name, "unit_id": record.unit_id, "held_on": held_on,
            "relation": relation, "person_name": person, "place": place, "summary": summary, "visit_id": visit_id}


def _visit_concerns(visit_id: Any, key: str, unit_id: int | None, scope: Collection[int] | None) -> bool:
    return isinstance(visit_id, int) and visit_id in {v for v, _label in visit_choices(key, unit_id, scope)}


def visit_choices(key: str, unit_id: int | None, scope: Collection[int] | None) -> list[tuple[int, str]]:
    """Visits a talk about this cadre may belong to: those naming the cadre or visiting the
    cadre's unit, within `scope`, newest first (as "2026-11-20 title")."""
    concerns = [Visit.id.in_(select(VisitCadre.visit_id).where(VisitCadre.subject_key == key))]
    if unit_id is not None:
        concerns.append(Visit.id.in_(select(visit_units.c.visit_id).where(visit_units.c.unit_id == unit_id)))
    visits = db.session.scalars(select(Visit).where(or_(*concerns)).options(selectinload(Visit.units))
                                .order_by(Visit.starts_on.desc(), Visit.id.desc()).limit(100)).all()
    return [(v.id, f"{v.starts_on.isoformat()} {v.title}") for v in visits
            if scope is None or any(unit.id in scope for unit in v.units)]


def _audit_detail(talk: Talk) -> dict[str, Any]:
    """What an audit entry about a talk may say: the cadre, unit and date, no content."""
    return {"key": talk.subject_key, "name": talk.subject_name, "unit": talk.unit.name if talk.unit else "",
            "held_on": talk.held_on.isoformat()}


def add_talk(data: Mapping[str, Any], actor: User, today: date, scope: Collection[int] | None) -> Talk:
    """Record a talk; raise ValidationFailed (nothing stored) on bad input."""
    talk = Talk(**clean_talk(data, today, scope), recorded_by_id=actor.id)
    db.session.add(talk)
    db.session.flush()
    db.session.refresh(talk, ["unit"])
    audit.record(actor, "talk.create", TARGET, talk.id, **_audit_detail(talk))
    return talk


def update_talk(talk: Talk, data: Mapping[str, Any], actor: User, today: date,
                scope: Collection[int] | None) -> list[str]:
    """Change a talk; return the names of the fields that changed (audited by name only)."""
    clean = clean_talk(data, today, scope)
    changed = [field for field in FIELDS if getattr(talk, field) != clean[field]]
    if not changed:
        return []
    for name, value in clean.items():
        setattr(talk, name, value)
    db.session.flush()
    db.session.refresh(talk, ["unit"])
    audit.record(actor, "talk.update", TARGET, talk.id, **_audit_detail(talk), fields=changed)
    return changed


def log_view(actor: User, talk: Talk, fmt: str = "page") -> None:
    """Record that `actor` read the talk (its page, or its edit form, which shows it too)."""
    if fmt not in VIEW_FORMATS:
        raise ValueError(fmt)
    audit.record(actor, "talk.view", TARGET, talk.id, **_audit_detail(talk), format=fmt)


def talk_view(talk: Talk) -> TalkView:
    return TalkView(
        id=talk.id, subject_key=talk.subject_key, subject_name=talk.subject_name,
        unit=talk.unit.name if talk.unit else "", held_on=talk.held_on, relation=talk.relation,
        person_name=talk.person_name, place=talk.place, summary=talk.summary, visit_id=talk.visit_id,
        visit_title=talk.visit.title if talk.visit else "", recorded_by=_user_name(db.session.get(User, talk.recorded_by_id)
                                                                                    if talk.recorded_by_id else None),
        created_at=talk.created_at, updated_at=talk.updated_at)


def _query(scope: Collection[int] | None, key: str | None):
    query = select(Talk)
    if scope is not None:
        query = query.where(Talk.unit_id.in_(scope))
    if key:
        query = query.where(Talk.subject_key == key)
    return query


def list_talks(scope: Collection[int] | None, key: str | None = None) -> list[TalkLine]:
    """Talks within `scope` (None: all), optionally about one cadre; newest first. Lines
    carry no summary, place or name: reading one opens its page, which is logged."""
    talks = db.session.scalars(_query(scope, key).options(selectinload(Talk.unit))
                               .order_by(Talk.held_on.desc(), Talk.id.desc())).all()
    recorders = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({t.recorded_by_id for t in talks if t.recorded_by_id})))}
    return [TalkLine(id=t.id, subject_key=t.subject_key, subject_name=t.subject_name,
                     unit=t.unit.name if t.unit else "", held_on=t.held_on, relation=t.relation,
                     named=bool(t.person_name), recorded_by=_user_name(recorders.get(t.recorded_by_id)))
            for t in talks]


def count_about(key: str, scope: Collection[int] | None) -> int:
    """How many talks about the cadre `scope` holds (the dossier shows the team this count)."""
    return db.session.scalar(select(db.func.count()).select_from(_query(scope, key).subquery())) or 0
