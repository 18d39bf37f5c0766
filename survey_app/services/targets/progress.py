"""Quarterly progress on an approved target sheet: per leaf the value reached so far and a
short account, for quarters 1–4 (docs/targets.md, "Progress").

A quarter's report is replaced by saving it again, while the year runs: once the unit hands
in its year-end 自评 the progress is locked with it (and unlocked if the 效能办 returns the
自评). A blank value and account removes that leaf's report for the quarter.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import User
from survey_app.models.target import Direction, TargetProgress, TargetSheet, UnitTarget
from survey_app.services.platform import audit
from survey_app.services.targets.year_end import find_target, leaves, parse_value, require_self_open

QUARTERS = (1, 2, 3, 4)
MAX_ACCOUNT = 500


def check_quarter(quarter: int) -> int:
    if quarter not in QUARTERS:
        raise ValidationFailed(_("季度应为 1 到 4"))
    return quarter


@dataclass
class ProgressEntry:
    value: str = ""
    account: str = ""


def save_progress(sheet: TargetSheet, quarter: int, entries: Mapping[int, ProgressEntry], actor: User | None,
                  now: datetime) -> int:
    """Replace the quarter's report for the leaves given (by target id); return how many
    changed. Everything is checked first: one refusal changes nothing."""
    require_self_open(sheet)
    check_quarter(quarter)
    errors: list[str] = []
    parsed: dict[int, tuple[float | None, str]] = {}
    for target_id, entry in entries.items():
        target = find_target(sheet, target_id)
        account = (entry.account or "").strip()
        try:
            value = parse_value(entry.value, target.node)
        except ValidationFailed as error:
            errors.append(error.message)
            continue
        if len(account) > MAX_ACCOUNT:
            errors.append(_("“%(name)s”的进度说明不能超过 %(max)d 字", name=target.node.name, max=MAX_ACCOUNT))
        parsed[target_id] = (value, account)
    if errors:
        raise ValidationFailed(errors[0], errors)
    changed = 0
    for target_id, (value, account) in parsed.items():
        target = find_target(sheet, target_id)
        row = next((p for p in target.progress if p.quarter == quarter), None)
        before = (row.value, row.account) if row is not None else (None, "")
        if before == (value, account):
            continue
        if value is None and not account:
            target.progress.remove(row)
            db.session.delete(row)
        elif row is None:
            target.progress.append(TargetProgress(quarter=quarter, value=value, account=account,
                                                  reported_by_id=actor.id if actor else None, reported_at=now))
        else:
            row.value, row.account = value, account
            row.reported_by_id, row.reported_at = (actor.id if actor else None), now
        changes = {field: [old, new] for field, old, new in (("progress_value", before[0], value),
                                                             ("account", before[1], account)) if old != new}
        audit.record(actor, "target_progress.save", "target_sheet", sheet.id, leaf=target.node.code,
                     quarter=quarter, changes=changes)
        changed += 1
    db.session.flush()
    return changed


@dataclass(frozen=True)
class ProgressRow:
    """One leaf on the progress page: its target, its values by quarter (None: not
    reported), the latest one and the share of the target it reaches (None when it cannot
    be read as a share: no target or value, or a lower-is-better leaf)."""

    target: UnitTarget
    by_quarter: tuple[float | None, ...]
    accounts: tuple[str, ...]
    latest: float | None
    share: float | None


def progress_rows(sheet: TargetSheet) -> list[ProgressRow]:
    rows = []
    for target in leaves(sheet):
        reports = {p.quarter: p for p in target.progress}
        values = tuple(reports[q].value if q in reports else None for q in QUARTERS)
        latest = next((v for v in reversed(values) if v is not None), None)
        rows.append(ProgressRow(target, values, tuple(reports[q].account if q in reports else "" for q in QUARTERS),
                                latest, share_of(target, latest)))
    return rows


def share_of(target: UnitTarget, value: float | None) -> float | None:
    """The share of the 目标值 that `value` reaches; None without a target or a value, and
    for a lower-is-better leaf (where a share does not read as progress)."""
    if value is None or not target.value or target.value <= 0 or target.node.direction is not Direction.HIGHER:
        return None
    return value / target.value
