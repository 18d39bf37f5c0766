"""The dossier's 进度清单 fed by the target responsibility system (目标责任体系): the
quarterly progress the cadre's unit reported on its approved targets (docs/dossier.md,
"Unit target progress in the 进度清单"; docs/targets.md, "Progress").

Who counts as one of a unit's leaders is decided here, once (`led_unit_id`): in Pingyi
every cadre with a dossier is a member of their unit's leadership team (领导班子成员) — the
cadre subjects of surveys and cadre assessment plans are the units' leaders — so a cadre
leads the unit that is their **current** unit (`Cadre.unit_id`, from the latest result
record). A cadre without a current unit leads none.

What is shown: the unit's approved target sheet (已审定) of the latest year among its
approved sheets under published systems, and on it every leaf's quarterly reports, newest
quarter first and in the tree's order within a quarter. Sheets still under negotiation are
never shown (their 目标值 are not settled), nor an older year's progress. The rows are
read-only; the page links each to the unit's progress page for readers allowed to open it.

Access: the dossier's own. Whoever may read the dossier sees its unit's rows; a scoped
reader (`unit_ids`) sees nothing of a unit outside their scope.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey_app.extensions import db
from survey_app.models.target import (
    IndicatorSystem,
    SheetState,
    SystemStatus,
    TargetSheet,
    UnitTarget,
)
from survey_app.services.dossier.cadres import Cadre, in_scope
from survey_app.services.targets import systems
from survey_app.services.targets.progress import share_of


@dataclass(frozen=True, slots=True)
class ProgressLine:
    """One quarter's report on one leaf of the unit's approved targets."""

    code: str
    indicator: str
    quarter: int
    value: float | None
    target: float | None
    unit_of_measure: str
    share: float | None  # of the 目标值 (None: no target, no value, or lower-is-better)
    account: str
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class UnitProgress:
    """The unit's quarterly target progress for the dossier's 进度清单."""

    unit_id: int
    sheet_id: int
    year: int
    system_title: str
    lines: tuple[ProgressLine, ...]  # newest quarter first, tree order within a quarter


def led_unit_id(cadre: Cadre) -> int | None:
    """The unit the cadre is one of the leaders of (the one rule: their current unit)."""
    return cadre.unit_id


def _latest_approved_sheet(unit_id: int) -> TargetSheet | None:
    return db.session.scalars(
        select(TargetSheet).join(IndicatorSystem, IndicatorSystem.id == TargetSheet.system_id)
        .where(TargetSheet.unit_id == unit_id, TargetSheet.state == SheetState.APPROVED,
               IndicatorSystem.status == SystemStatus.PUBLISHED)
        .options(selectinload(TargetSheet.targets).selectinload(UnitTarget.progress),
                 selectinload(TargetSheet.targets).selectinload(UnitTarget.node))
        .order_by(IndicatorSystem.year.desc(), TargetSheet.id.desc())
    ).first()


def unit_progress(cadre: Cadre, unit_ids: Collection[int] | None = None) -> UnitProgress | None:
    """The quarterly progress of the unit the cadre leads, or None when the cadre leads no
    unit, the unit is outside `unit_ids` (the reader's scope), has no approved sheet, or
    reported no progress on it."""
    unit_id = led_unit_id(cadre)
    if unit_id is None or not in_scope(unit_ids, unit_id):
        return None
    sheet = _latest_approved_sheet(unit_id)
    if sheet is None:
        return None
    order = {row.node.id: i for i, row in enumerate(systems.tree_rows(sheet.system))}
    lines = [
        ProgressLine(code=target.node.code, indicator=target.node.name, quarter=report.quarter, value=report.value,
                     target=target.value, unit_of_measure=target.node.unit_of_measure,
                     share=share_of(target, report.value), account=report.account, reported_at=report.reported_at)
        for target in sorted(sheet.targets, key=lambda t: order.get(t.node_id, len(order)))
        for report in target.progress
    ]
    if not lines:
        return None
    lines.sort(key=lambda line: -line.quarter)  # stable: tree order kept within a quarter
    return UnitProgress(unit_id=unit_id, sheet_id=sheet.id, year=sheet.system.year,
                        system_title=sheet.system.title, lines=tuple(lines))
