"""Registers of 正向激励 and 效能督查 (docs/targets.md, "Registers of 正向激励 and 效能督查"):
recording an item for a unit and year, editing it while it is not approved, approving or
rejecting it (city-wide organizers and administrators), withdrawing an approval (with a
reason), its evidence files, and the lists and per-unit totals a user's scope allows.

Every change is checked first (each problem a Chinese message, nothing changed on any)
and written to the audit log under target type "register_entry". Dates are local dates:
`today` (the city's date) and `now` are passed in.
"""

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import InvalidTransition, NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import FilePurpose, StoredFile, Unit, User
from survey_app.models.assessment import AdjustmentKind
from survey_app.models.register import (
    MAX_ENTRY_POINTS,
    RegisterEntry,
    RegisterEvidence,
    RegisterSource,
    RegisterState,
)
from survey_app.services.platform import audit, evidence_files, permissions
from survey_app.services.platform.confirmation import require_confirmation
from survey_app.services.platform.plain_values import enum_member, has_control_characters

#: Audit target type of every change to a register item.
REGISTER_TARGET = "register_entry"
TITLE_MAX, TEXT_MAX, DOCUMENT_MAX, NOTE_MAX = 200, 5000, 200, 500
#: Evidence files one item may hold.
MAX_FILES = 10
FIELDS = ("year", "occurred_on", "unit_id", "kind", "source", "title", "detail", "points", "document", "finding")


# ---- checks -----------------------------------------------------------------------------------


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value.strip() if isinstance(value, str) else ""


def _check_lengths(problems: list[str], clean: dict[str, Any]) -> None:
    for name, limit, label in (("title", TITLE_MAX, _("标题")), ("document", DOCUMENT_MAX, _("文号或依据")),
                               ("detail", TEXT_MAX, _("详细情况")), ("finding", TEXT_MAX, _("督查发现"))):
        if len(clean[name]) > limit:
            problems.append(_("%(field)s不能超过 %(n)d 个字", field=label, n=limit))
        if has_control_characters(clean[name]):
            problems.append(_("%(field)s中含有不可见的控制字符", field=label))


def _check_points(problems: list[str], value: Any) -> float:
    try:
        points = float(value) if value is not None and value != "" and not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        points = math.nan
    if not math.isfinite(points) or not 0 < points <= MAX_ENTRY_POINTS:
        problems.append(_("分值应大于 0，且不超过 %(n)d 分", n=MAX_ENTRY_POINTS))
    return points


def _year(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return value if isinstance(value, int) and not isinstance(value, bool) and 2000 <= value <= 2100 else None


def _check_dates(problems: list[str], year: int | None, occurred_on: Any, today: date) -> None:
    if year is None:
        problems.append(_("年度应在 2000–2100 之间"))
    if not isinstance(occurred_on, date):
        problems.append(_("请填写日期"))
    elif occurred_on > today:
        problems.append(_("日期不能晚于今天（%(day)s）", day=today.isoformat()))
    elif year is not None and occurred_on.year not in (year, year + 1):
        problems.append(_("日期应在 %(year)d 年内（年初记录上一年度的事项时，可在次年）", year=year))


def _check_unit(problems: list[str], value: Any, actor: User) -> Unit | None:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    unit = db.session.get(Unit, value) if isinstance(value, int) and not isinstance(value, bool) else None
    if unit is None:
        problems.append(_("请选择单位"))
    elif not permissions.in_scope(actor, unit.id):
        problems.append(_("只能为本人负责的单位登记"))
    return unit


def clean_entry(data: Mapping[str, Any], actor: User, today: date) -> dict[str, Any]:
    """Check an item's fields; return them clean or raise ValidationFailed listing every
    problem. A deduction needs its 通报文号 and what was found; a bonus its basis."""
    problems: list[str] = []
    kind = enum_member(AdjustmentKind, data.get("kind"))
    source = enum_member(RegisterSource, data.get("source"))
    clean: dict[str, Any] = {name: _text(data, name) for name in ("title", "detail", "document", "finding")}
    if kind is None:
        problems.append(_("请选择类型（正向激励或效能督查）"))
    if source is None:
        problems.append(_("请选择来源"))
    year = _year(data.get("year"))
    _check_dates(problems, year, data.get("occurred_on"), today)
    unit = _check_unit(problems, data.get("unit_id"), actor)
    if not clean["title"]:
        problems.append(_("请填写标题"))
    points = _check_points(problems, data.get("points"))
    if kind is AdjustmentKind.DEDUCTION:
        if not clean["document"]:
            problems.append(_("扣分须填写督查通报文号"))
        if not clean["finding"]:
            problems.append(_("扣分须填写督查发现的问题"))
    elif kind is AdjustmentKind.BONUS:
        clean["finding"] = ""
        if not clean["document"]:
            problems.append(_("加分须填写依据（表彰文件或批示）"))
    _check_lengths(problems, clean)
    if problems:
        raise ValidationFailed(problems[0], problems)
    return {**clean, "year": year, "occurred_on": data["occurred_on"], "unit_id": unit.id, "kind": kind,
            "source": source, "points": points}


def _snapshot(entry: RegisterEntry) -> dict[str, Any]:
    return {"year": entry.year, "occurred_on": entry.occurred_on.isoformat(), "unit": entry.unit.name,
            "kind": entry.kind.value, "source": entry.source.value, "title": entry.title, "detail": entry.detail,
            "points": entry.points, "document": entry.document, "finding": entry.finding}


def _require_organizer(actor: User, entry_unit_id: int | None = None) -> None:
    if not permissions.is_organizer(actor) or (entry_unit_id is not None
                                               and not permissions.in_scope(actor, entry_unit_id)):
        raise InvalidTransition(_("只有负责该单位的组织人员可以登记或修改"))


def _require_unlocked(entry: RegisterEntry) -> None:
    if entry.is_locked:
        raise InvalidTransition(_("该事项已审核通过，已锁定，不能修改；如需修改，请先撤回审核"))


# ---- recording and editing --------------------------------------------------------------------


def record_entry(data: Mapping[str, Any], actor: User, now: datetime, today: date) -> RegisterEntry:
    """Record an item (待审核) for one of the actor's units."""
    _require_organizer(actor)
    clean = clean_entry(data, actor, today)
    entry = RegisterEntry(**clean, state=RegisterState.RECORDED, recorded_by_id=actor.id, created_at=now,
                          updated_at=now)
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "register.record", REGISTER_TARGET, entry.id, **_snapshot(entry))
    return entry


def update_entry(entry: RegisterEntry, data: Mapping[str, Any], actor: User, now: datetime, today: date) -> bool:
    """Change an item that is not approved; a rejected one is recorded again (待审核).
    Return whether anything changed."""
    _require_organizer(actor, entry.unit_id)
    _require_unlocked(entry)
    clean = clean_entry(data, actor, today)
    before = _snapshot(entry)
    for name, value in clean.items():
        setattr(entry, name, value)
    db.session.flush()
    db.session.refresh(entry, ["unit"])
    after = _snapshot(entry)
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if not changes:
        return False
    detail: dict[str, Any] = {"title": entry.title, "changes": changes}
    if entry.state is RegisterState.REJECTED:
        detail["state"] = [entry.state.value, RegisterState.RECORDED.value]
        _set_decision(entry, RegisterState.RECORDED, None, None, "")
    entry.updated_at = now
    audit.record(actor, "register.update", REGISTER_TARGET, entry.id, **detail)
    return True


# ---- approval ---------------------------------------------------------------------------------


def may_decide(actor: User) -> bool:
    """Whether the actor approves and rejects items: city-wide organizers and administrators."""
    return permissions.is_organizer(actor) and permissions.scope_of(actor) is None


def _require_decider(actor: User) -> None:
    if not may_decide(actor):
        raise InvalidTransition(_("只有全市范围的组织人员或管理员可以审核"))


def _set_decision(entry: RegisterEntry, state: RegisterState, actor: User | None, now: datetime | None,
                  note: str) -> None:
    entry.state, entry.decided_by_id, entry.decided_at, entry.decision_note = (
        state, actor.id if actor else None, now, note)


def _note(value: Any, required_message: str | None) -> str:
    note = value.strip() if isinstance(value, str) else ""
    problems = []
    if required_message and not note:
        problems.append(required_message)
    if len(note) > NOTE_MAX:
        problems.append(_("说明不能超过 %(n)d 个字", n=NOTE_MAX))
    if has_control_characters(note):
        problems.append(_("说明中含有不可见的控制字符"))
    if problems:
        raise ValidationFailed(problems[0], problems)
    return note


def approve_entry(entry: RegisterEntry, actor: User, now: datetime, note: Any = "") -> None:
    """Approve an item (待审核 or 未通过): it is locked and counts in plans once synced."""
    _require_decider(actor)
    if entry.state is RegisterState.APPROVED:
        raise InvalidTransition(_("该事项已审核通过"))
    clean = _note(note, None)
    previous = entry.state
    _set_decision(entry, RegisterState.APPROVED, actor, now, clean)
    db.session.flush()
    audit.record(actor, "register.approve", REGISTER_TARGET, entry.id, title=entry.title, unit=entry.unit.name,
                 points=entry.points, kind=entry.kind.value, state=[previous.value, entry.state.value], note=clean)


def reject_entry(entry: RegisterEntry, actor: User, now: datetime, note: Any) -> None:
    """Reject an item waiting for approval, saying why."""
    _require_decider(actor)
    if entry.state is not RegisterState.RECORDED:
        raise InvalidTransition(_("只能退回待审核的事项"))
    clean = _note(note, _("请说明不予通过的理由"))
    _set_decision(entry, RegisterState.REJECTED, actor, now, clean)
    db.session.flush()
    audit.record(actor, "register.reject", REGISTER_TARGET, entry.id, title=entry.title, unit=entry.unit.name,
                 state=[RegisterState.RECORDED.value, entry.state.value], note=clean)


def withdraw_approval(entry: RegisterEntry, actor: User, now: datetime, reason: Any, *,
                      confirmed: bool = True) -> None:
    """Withdraw an approval (with a reason): the item is 待审核 again and may be edited; a
    plan that synced it drops it at its next sync."""
    _require_decider(actor)
    if entry.state is not RegisterState.APPROVED:
        raise InvalidTransition(_("只能撤回已审核通过的事项"))
    require_confirmation(confirmed)
    clean = _note(reason, _("请说明撤回审核的理由"))
    approved_by = entry.decided_by.username if entry.decided_by else None
    _set_decision(entry, RegisterState.RECORDED, None, None, "")
    entry.updated_at = now
    db.session.flush()
    audit.record(actor, "register.withdraw", REGISTER_TARGET, entry.id, title=entry.title, unit=entry.unit.name,
                 state=[RegisterState.APPROVED.value, entry.state.value], reason=clean, approved_by=approved_by)


# ---- evidence ---------------------------------------------------------------------------------


def attach_evidence(entry: RegisterEntry, uploads: list[tuple[bytes, str | None]], actor: User,
                    now: datetime) -> list[StoredFile]:
    """Check and store evidence files (PDF or images) and attach them, all or none."""
    _require_organizer(actor, entry.unit_id)
    _require_unlocked(entry)
    uploads = [(data, name) for data, name in uploads if data or name]
    if not uploads:
        raise ValidationFailed(_("请选择要上传的文件"))
    if len(entry.evidence) + len(uploads) > MAX_FILES:
        raise ValidationFailed(_("每个事项最多 %(n)d 个证明材料", n=MAX_FILES))
    problems = []
    for data, name in uploads:
        try:
            evidence_files.check_upload(data, FilePurpose.DOCUMENT)
        except ValidationFailed as error:
            problems.append(f"{name or _('文件')}：{error.message}")
    if problems:
        raise ValidationFailed(problems[0], problems)
    stored = [evidence_files.store_upload(data, name, FilePurpose.DOCUMENT, actor, now) for data, name in uploads]
    for item in stored:
        entry.evidence.append(RegisterEvidence(file_id=item.id))
    db.session.flush()
    audit.record(actor, "register.attach", REGISTER_TARGET, entry.id, title=entry.title,
                 files=[{"name": item.original_name, "sha256": item.sha256, "size": item.size_bytes} for item in stored])
    return stored


def find_evidence(entry: RegisterEntry, file_id: int) -> StoredFile:
    """One of the item's evidence files; NotFound for any other file."""
    link = next((e for e in entry.evidence if e.file_id == file_id), None)
    if link is None:
        raise NotFound(_("没有找到该文件"))
    return link.file


def remove_evidence(entry: RegisterEntry, file_id: int, actor: User, *, confirmed: bool = True) -> None:
    """Detach an evidence file from an item that is not approved (the stored file stays)."""
    _require_organizer(actor, entry.unit_id)
    _require_unlocked(entry)
    stored = find_evidence(entry, file_id)
    require_confirmation(confirmed)
    entry.evidence = [e for e in entry.evidence if e.file_id != file_id]
    db.session.flush()
    audit.record(actor, "register.detach", REGISTER_TARGET, entry.id, title=entry.title,
                 file={"name": stored.original_name, "sha256": stored.sha256})


# ---- lists ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    year: int | None = None
    unit_id: int | None = None
    kind: AdjustmentKind | None = None
    source: RegisterSource | None = None
    state: RegisterState | None = None


def list_entries(scope: Collection[int] | None, filters: Filters = Filters()) -> list[RegisterEntry]:
    """Items of the units in `scope` (None: every unit) matching the filters, newest first."""
    query = select(RegisterEntry).order_by(RegisterEntry.occurred_on.desc(), RegisterEntry.id.desc())
    if scope is not None:
        query = query.where(RegisterEntry.unit_id.in_(list(scope)))
    for column, value in ((RegisterEntry.year, filters.year), (RegisterEntry.unit_id, filters.unit_id),
                          (RegisterEntry.kind, filters.kind), (RegisterEntry.source, filters.source),
                          (RegisterEntry.state, filters.state)):
        if value is not None:
            query = query.where(column == value)
    return list(db.session.scalars(query))


@dataclass(frozen=True, slots=True)
class UnitTotal:
    """One unit's approved points of one year, and its items still waiting."""

    unit_id: int
    unit: str
    year: int
    bonus: float
    deduction: float
    pending: int

    @property
    def net(self) -> float:
        return self.bonus - self.deduction


def unit_totals(entries: list[RegisterEntry]) -> list[UnitTotal]:
    """Per unit and year: the approved bonus and deduction points and the items 待审核."""
    sums: dict[tuple[int, int], list] = {}
    for entry in entries:
        row = sums.setdefault((entry.year, entry.unit_id), [entry.unit.name, 0.0, 0.0, 0])
        if entry.state is RegisterState.APPROVED:
            row[1 if entry.kind is AdjustmentKind.BONUS else 2] += entry.points
        elif entry.state is RegisterState.RECORDED:
            row[3] += 1
    return [UnitTotal(unit_id, name, year, round(bonus, 4), round(deduction, 4), pending)
            for (year, unit_id), (name, bonus, deduction, pending)
            in sorted(sums.items(), key=lambda item: (-item[0][0], item[1][0]))]


def approved_entries(year: int, unit_ids: Collection[int]) -> list[RegisterEntry]:
    """The approved items of a year for these units, by unit, date and id."""
    if not unit_ids:
        return []
    query = (select(RegisterEntry)
             .where(RegisterEntry.year == year, RegisterEntry.state == RegisterState.APPROVED,
                    RegisterEntry.unit_id.in_(list(unit_ids)))
             .order_by(RegisterEntry.unit_id, RegisterEntry.occurred_on, RegisterEntry.id))
    return list(db.session.scalars(query))
