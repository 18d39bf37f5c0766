"""Visits (考察纪实) made directly with the models, for tests and the demo's shape: the
recording pages and their service are another part of issue #16."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import EvidenceItem, EvidenceKind, EvidenceSource, Unit, VerificationStatus
from survey_app.models.inspection import KeyProject, Visit, VisitCadre


def unit_id(name: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.name == name))


def make_visit(units: list[str], starts_on: date, ends_on: date | None = None, *, title: str = "实地考察",
               project: str | None = None, cadres: tuple[str, ...] = (), methods: tuple[str, ...] = ("site_survey",),
               announced: bool = True, team: str = "考察组", hours: float | None = 2.0, summary: str = "") -> Visit:
    """Add a visit to these units (by name) on these local dates; call inside an app context."""
    visit = Visit(title=title, starts_on=starts_on, ends_on=ends_on or starts_on,
                  hours=hours if not ends_on or ends_on == starts_on else None, methods=list(methods),
                  announced=announced, team=team, summary=summary)
    visit.units = list(db.session.scalars(select(Unit).where(Unit.name.in_(units))))
    if project:
        visit.project = db.session.scalar(select(KeyProject).where(KeyProject.name == project))
    visit.cadres = [VisitCadre(subject_key=key) for key in cadres]
    db.session.add(visit)
    db.session.flush()
    return visit


def make_finding(visit: Visit, key: str, kind: EvidenceKind, title: str, *, unit: str,
                 status: VerificationStatus = VerificationStatus.VERIFIED, occurred_on: date | None = None) -> EvidenceItem:
    """A dossier item found on `visit`, filed under the cadre `key` in `unit`."""
    decided = status is not VerificationStatus.PENDING
    item = EvidenceItem(subject_key=key, subject_name=key, kind=kind, title=title,
                        occurred_on=occurred_on or visit.starts_on, source=EvidenceSource.SITE_VISIT, status=status,
                        verified_at=datetime(2026, 1, 1, tzinfo=UTC) if decided else None,
                        unit_id=unit_id(unit), visit_id=visit.id)
    db.session.add(item)
    db.session.flush()
    return item
