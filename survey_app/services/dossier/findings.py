"""Findings of a visit (考察发现): an item of a cadre's 任务/进度/问题/成绩清单 found on a visit,
linked back to it, 待核实 until verified in the dossier.

It lives in the dossier package, not in `services/inspection`: a finding *is* a dossier
item, so it goes through `evidence.add_evidence` and its one check of an item
(`clean_evidence`); the inspection package sits below the dossier and cannot reach it.
What a visit adds is checked here: the cadre is one the visit concerned and one whose
dossier the actor may write in, the day lies within the visit, and the source follows from
the visit's method unless one is chosen.
"""

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import EvidenceItem, EvidenceSource, User
from survey_app.models.inspection import Visit, VisitMethod
from survey_app.services.dossier import cadres, evidence
from survey_app.services.dossier.evidence import EvidenceView

#: The dossier source a finding gets from the visit's (first) method.
SOURCE_OF_METHOD = {
    VisitMethod.SITE_SURVEY.value: EvidenceSource.SITE_VISIT,
    VisitMethod.TALKS.value: EvidenceSource.INTERVIEW,
    VisitMethod.SITTING_IN.value: EvidenceSource.MEETING,
    VisitMethod.MILESTONE_CHECK.value: EvidenceSource.SITE_VISIT,
    VisitMethod.UNANNOUNCED.value: EvidenceSource.UNANNOUNCED,
}


def source_of(visit: Visit) -> EvidenceSource:
    """The source a finding of this visit has unless one is chosen."""
    return next((SOURCE_OF_METHOD[m] for m in visit.methods if m in SOURCE_OF_METHOD), EvidenceSource.SITE_VISIT)


def add_finding(visit: Visit, data: Mapping[str, Any], actor: User, today: date) -> EvidenceItem:
    """Record a finding of `visit` in a cadre's dossier. `data`: subject_key, kind, title,
    detail, optionally source, occurred_on (default: the visit's first day), due_on."""
    problems: list[str] = []
    key = str(data.get("subject_key") or "").strip()
    cadre = None
    if not key:
        problems.append(_("请选择发现涉及的干部"))
    elif key not in {c.subject_key for c in visit.cadres}:
        problems.append(_("干部 %(key)s 不是本次考察涉及的干部", key=key))
    else:
        try:
            cadre = cadres.find_cadre(key)
        except NotFound:
            problems.append(_("干部 %(key)s 不是本次考察涉及的干部", key=key))
        if cadre is not None and not cadres.can_edit(actor, cadre):
            problems.append(_("不能在其他单位干部的档案中记录"))
    occurred_on = data.get("occurred_on") or visit.starts_on
    if isinstance(occurred_on, date) and not visit.starts_on <= occurred_on <= visit.ends_on:
        problems.append(_("发现日期应在考察日期之内（%(first)s 至 %(last)s）", first=visit.starts_on.isoformat(),
                          last=visit.ends_on.isoformat()))
    item = {**data, "occurred_on": occurred_on, "source": data.get("source") or source_of(visit)}
    try:
        evidence.clean_evidence(item, today)
    except ValidationFailed as error:
        problems.extend(_(message) for message in error.errors)
    if problems:
        raise ValidationFailed(problems[0], problems)
    return evidence.add_evidence(cadre, item, actor, today, visit=visit)


def visit_findings(visit: Visit, unit_ids: Collection[int] | None) -> list[EvidenceView]:
    """The visit's findings a user sees: those recorded in their units (like the dossier)."""
    items = db.session.scalars(select(EvidenceItem).where(EvidenceItem.visit_id == visit.id)
                               .order_by(EvidenceItem.occurred_on, EvidenceItem.id))
    return [evidence.evidence_view(item) for item in items if cadres.in_scope(unit_ids, item.unit_id)]
