"""Who a dossier is about, and who may see it: a cadre is the stable subject key of cadre
subjects and cadre assessment plans, named by the latest result record (a non-draft
survey or a confirmed plan; see `dossiers` for why drafts never count); the dossier index
and its unit filter, within a user's scope.
"""

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import NotFound
from survey_app.extensions import db
from survey_app.models import (
    EvidenceItem,
    Unit,
    User,
    VerificationStatus,
)
from survey_app.services.platform import permissions
from survey_app.services.results import cadre_records
from survey_app.services.results.cadre_records import CadreRecord


@dataclass(frozen=True, slots=True)
class Cadre:
    """Who the dossier is about: the latest name, unit and post under the key."""

    key: str
    name: str
    unit_id: int | None
    unit: str
    category: str
    position_title: str


@dataclass(frozen=True, slots=True)
class CadreCard:
    """One line of the dossier index."""

    cadre: Cadre
    years: tuple[int, ...]
    surveys: int
    plans: int
    evidence: int
    open_items: int  # 待核实 and 存疑


def _identity(key: str, records: list[CadreRecord], units: Mapping[int, Unit]) -> Cadre:
    latest = max(records, key=lambda r: r.order)
    titled = [r for r in records if r.position_title]
    title = max(titled, key=lambda r: r.order).position_title if titled else ""
    unit = units.get(latest.unit_id) if latest.unit_id else None
    return Cadre(key=key, name=latest.name, unit_id=latest.unit_id, unit=unit.name if unit else "",
                 category=unit.category if unit else "", position_title=title)


def _units(ids: Iterable[int | None]) -> dict[int, Unit]:
    wanted = {i for i in ids if i}
    return {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_(wanted)))} if wanted else {}


def find_cadre(key: str) -> Cadre:
    """Return the cadre filed under `key`; raise NotFound for unknown keys and for unit or
    team subjects (they have no dossier)."""
    key = (key or "").strip()
    records = cadre_records.survey_records([key]) + cadre_records.plan_records([key]) if key else []
    if not records:
        raise NotFound(_("没有找到该干部"))
    return _identity(key, records, _units(r.unit_id for r in records))


def visible_dossier(user: User, key: str) -> Cadre | None:
    """Return the cadre filed under `key` if `user` may open their dossier, else None (for
    links from other pages: no link for unit or team subjects, or outside the scope)."""
    try:
        cadre = find_cadre(key)
    except NotFound:
        return None
    return cadre if can_view(user, cadre) else None


def can_view(user: User, cadre: Cadre) -> bool:
    """Unscoped staff see every dossier; scoped users those of their units' cadres."""
    return permissions.may_read_dossier(user, cadre)


def can_edit(user: User, cadre: Cadre) -> bool:
    """Organizers and administrators who may view the dossier record and verify evidence."""
    return permissions.may_edit_dossier(user, cadre)


def in_scope(unit_ids: Collection[int] | None, unit_id: int | None) -> bool:
    return unit_ids is None or unit_id in unit_ids


def list_cadres(unit_ids: set[int] | None, query: str = "", unit_id: int | None = None) -> list[CadreCard]:
    """Return the cadres a user may see, by unit then key; `query` matches name or key.

    `unit_ids` is the user's scope (None: every unit), as `users.visible_unit_ids` gives it.
    """
    grouped: dict[str, list[CadreRecord]] = defaultdict(list)
    for record in cadre_records.survey_records() + cadre_records.plan_records():
        grouped[record.key].append(record)
    units = _units(r.unit_id for records in grouped.values() for r in records)
    counts: dict[str, Counter] = defaultdict(Counter)
    for key, item_unit, status, n in db.session.execute(
        select(EvidenceItem.subject_key, EvidenceItem.unit_id, EvidenceItem.status, db.func.count()).group_by(
            EvidenceItem.subject_key, EvidenceItem.unit_id, EvidenceItem.status)
    ):
        if in_scope(unit_ids, item_unit):
            counts[key][status] += n
    needle = (query or "").strip().lower()
    cards = []
    for key, records in grouped.items():
        cadre = _identity(key, records, units)
        if unit_ids is not None and cadre.unit_id not in unit_ids:
            continue
        if unit_id and cadre.unit_id != unit_id:
            continue
        if needle and needle not in cadre.name.lower() and needle not in key.lower():
            continue
        results = [r for r in records if in_scope(unit_ids, r.unit_id)]  # counts: their units' only
        tally = counts.get(key, Counter())
        cards.append(CadreCard(
            cadre=cadre,
            years=tuple(sorted({r.year for r in results})),
            surveys=len({r.parent_id for r in results if r.source == "survey"}),
            plans=len({r.parent_id for r in results if r.source == "plan"}),
            evidence=sum(tally.values()),
            open_items=tally[VerificationStatus.PENDING] + tally[VerificationStatus.DISPUTED],
        ))
    return sorted(cards, key=lambda c: (c.cadre.unit == "", c.cadre.category, c.cadre.unit, c.cadre.key))


def visible_units(unit_ids: set[int] | None) -> list[Unit]:
    """Units a user may filter the index by: those with cadres, within the user's scope."""
    ids = {r.unit_id for r in cadre_records.survey_records() + cadre_records.plan_records() if r.unit_id}
    if unit_ids is not None:
        ids &= unit_ids
    return sorted(_units(ids).values(), key=lambda u: (u.category, u.name))

