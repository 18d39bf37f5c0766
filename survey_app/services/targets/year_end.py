"""The unit's year-end 自评 on an approved target sheet: per leaf the actual value, an
explanation and evidence files; handing it in, and the 效能办 returning it
(docs/targets.md, "Year-end self-assessment and verification").

Rules: work happens only on an APPROVED sheet; the unit changes its 自评 until it hands it
in (``self_assessed_at``); after that only the 效能办 can return it (with a reason), and
not once verification is closed. Values are plain numbers in the leaf's 计量单位
(`parse_value`). A refused save changes nothing: every value and every file is checked
before anything is written or stored.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import FilePurpose, StoredFile, Unit, User
from survey_app.models.target import (
    IndicatorNode,
    IndicatorSystem,
    SheetState,
    TargetEvidence,
    TargetResult,
    TargetSheet,
    UnitTarget,
)
from survey_app.services.platform import audit, evidence_files
from survey_app.services.platform.confirmation import require_confirmation
from survey_app.services.targets import level_counts

#: Methods whose score reads the unit's actual value: a 自评 must give one to be handed in,
#: and 核验 must verify one before it is closed. count_deduction reads the 效能督查 findings,
#: judged the verifier's score; a level_bonus leaf needs its counts per level instead
#: (`level_counts`: all zeros is an answer, blank is not).
VALUE_METHODS = frozenset({"completion_ratio", "linear_deduction", "tiers", "rank_points", "rank_proportional"})
JUDGED = "judged"
#: Largest magnitude accepted for any value (a typo of many digits, not a real figure).
MAX_MAGNITUDE = 1e12
#: A percent leaf's values: 96 means 96 %; growth may be negative, but not below -100 %.
PERCENT_RANGE = (-100.0, 1000.0)
PERCENT_UNITS = frozenset({"%", "％", "百分比"})
MAX_NOTE = 2000
MAX_FILES_PER_LEAF = 10


def leaves(sheet: TargetSheet) -> list[UnitTarget]:
    """The sheet's targets in the tree's order (by code: 1.2 before 1.10)."""
    return sorted(sheet.targets, key=lambda target: tuple(int(part) for part in target.node.code.split(".")))


def is_percent(node: IndicatorNode) -> bool:
    return node.unit_of_measure.strip() in PERCENT_UNITS


def parse_value(text: str | None, node: IndicatorNode) -> float | None:
    """A value typed for `node` as a number in its unit of measure; None when blank.

    Refused: anything not a plain number, a percent leaf's value outside -100..1000 (96
    means 96 %; 9600 is a value of the wrong unit), and a negative value elsewhere (counts,
    amounts and numbers of projects are not negative)."""
    raw = (text or "").strip().replace(",", "").replace("，", "")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValidationFailed(_("“%(name)s”的数值“%(text)s”不是数字", name=node.name, text=raw[:30])) from None
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise ValidationFailed(_("“%(name)s”的数值“%(text)s”超出范围", name=node.name, text=raw[:30]))
    if is_percent(node):
        low, high = PERCENT_RANGE
        if not low <= value <= high:
            raise ValidationFailed(_("“%(name)s”以%(unit)s计，数值应在 -100 到 1000 之间（例如 96 表示 96%(unit)s），"
                                     "收到 %(value)s：请检查计量单位", name=node.name, unit="%", value=raw[:30]))
    elif value < 0:
        raise ValidationFailed(_("“%(name)s”的数值不能为负数", name=node.name))
    return value


def require_approved(sheet: TargetSheet) -> None:
    if sheet.state is not SheetState.APPROVED:
        raise ValidationFailed(_("目标尚未审定：审定后才能填报进度、年终自评和核验"))


def require_self_open(sheet: TargetSheet) -> None:
    """The unit may still change its 自评 (and its quarterly progress)."""
    require_approved(sheet)
    if sheet.self_assessed_at is not None:
        raise ValidationFailed(_("年终自评已提交，不能再修改；如需修改，请联系效能办退回"))


def find_target(sheet: TargetSheet, target_id: int) -> UnitTarget:
    target = next((t for t in sheet.targets if t.id == target_id), None)
    if target is None:
        raise NotFound(_("指标不存在"))
    return target


def find_evidence(sheet: TargetSheet, evidence_id: int) -> TargetEvidence:
    """An evidence file of this sheet; NotFound for another sheet's (another unit's) file."""
    evidence = db.session.scalar(
        select(TargetEvidence).join(TargetResult).join(UnitTarget)
        .where(TargetEvidence.id == evidence_id, UnitTarget.sheet_id == sheet.id))
    if evidence is None:
        raise NotFound(_("文件不存在"))
    return evidence


def stored_file_of(evidence: TargetEvidence) -> StoredFile:
    return db.session.get(StoredFile, evidence.file_id)


def result_of(target: UnitTarget) -> TargetResult:
    """The target's result row, created (not flushed) when missing."""
    if target.result is None:
        target.result = TargetResult(self_note="", verification_note="")
    return target.result


@dataclass
class SelfEntry:
    """What the form sent for one leaf: the value as typed (a level-bonus leaf: the counts,
    one text per level), the explanation, the files."""

    value: str = ""
    note: str = ""
    files: list[tuple[bytes, str | None]] = field(default_factory=list)
    counts: list[str] | None = None


def save_self_assessment(sheet: TargetSheet, entries: Mapping[int, SelfEntry], actor: User | None,
                         now: datetime) -> int:
    """Store the unit's values, explanations and new evidence files (by target id); return
    how many leaves changed. Everything is checked first: one refusal changes nothing."""
    require_self_open(sheet)
    targets = {target.id: target for target in sheet.targets}
    errors: list[str] = []
    parsed: dict[int, tuple[float | None, dict | None, str]] = {}
    for target_id, entry in entries.items():
        target = targets.get(target_id)
        if target is None:
            raise NotFound(_("指标不存在"))
        try:
            if level_counts.is_level(target.node):
                value, counts = None, level_counts.parse_counts(entry.counts, target.node)
            else:
                value, counts = parse_value(entry.value, target.node), None
        except ValidationFailed as error:
            errors.append(error.message)
            continue
        note = (entry.note or "").strip()
        if len(note) > MAX_NOTE:
            errors.append(_("“%(name)s”的说明不能超过 %(max)d 字", name=target.node.name, max=MAX_NOTE))
        existing = len(target.result.evidence) if target.result is not None else 0
        if existing + len(entry.files) > MAX_FILES_PER_LEAF:
            errors.append(_("“%(name)s”最多上传 %(max)d 个证明材料", name=target.node.name, max=MAX_FILES_PER_LEAF))
        for data, name in entry.files:
            try:
                evidence_files.check_upload(data, FilePurpose.DOCUMENT)
            except ValidationFailed as error:
                errors.append(_("“%(name)s”的文件“%(file)s”：%(reason)s", name=target.node.name,
                                file=(name or "")[:60], reason=error.message))
        parsed[target_id] = (value, counts, note)
    if errors:
        raise ValidationFailed(errors[0], errors)
    changed = 0
    for target_id, (value, counts, note) in parsed.items():
        target, entry = targets[target_id], entries[target_id]
        result = target.result
        before = (result.self_value, result.self_counts, result.self_note) if result is not None else (None, None, "")
        if before == (value, counts, note) and not entry.files:
            continue
        result = result_of(target)
        result.self_value, result.self_counts, result.self_note = value, counts, note
        names = []
        for data, name in entry.files:
            stored = evidence_files.store_upload(data, name, FilePurpose.DOCUMENT, actor, now)
            result.evidence.append(TargetEvidence(file_id=stored.id))
            names.append(stored.original_name)
        changes = {field: [old, new] for field, old, new in (("self_value", before[0], value),
                                                             ("self_counts", before[1], counts),
                                                             ("self_note", before[2], note)) if old != new}
        audit.record(actor, "target_result.self_assess", "target_sheet", sheet.id, leaf=target.node.code,
                     changes=changes, files=names)
        changed += 1
    db.session.flush()
    return changed


def missing_values(sheet: TargetSheet) -> list[str]:
    """Names of the leaves whose method reads a value (or counts per level) the 自评 does not give yet."""
    missing = []
    for target in leaves(sheet):
        result = target.result
        if (target.node.method in VALUE_METHODS and (result is None or result.self_value is None)
                or level_counts.is_level(target.node) and (result is None or result.self_counts is None)):
            missing.append(target.node.name)
    return missing


def hand_in(sheet: TargetSheet, actor: User | None, now: datetime, confirmed: bool = True) -> None:
    """Hand the 自评 in: the unit can no longer change it; the 效能办 verifies it."""
    require_self_open(sheet)
    missing = missing_values(sheet)
    if missing:
        raise ValidationFailed(_("以下指标还没有填写实际完成值，不能提交：%(names)s", names="、".join(missing)))
    require_confirmation(confirmed)
    sheet.self_assessed_at = now
    audit.record(actor, "target_sheet.hand_in", "target_sheet", sheet.id, unit_id=sheet.unit_id)
    db.session.flush()


def hand_in_consequences(sheet: TargetSheet) -> list[str]:
    return [_("年终自评交效能办核验，本单位不能再修改实际值、说明和证明材料"),
            _("季度进度也不能再修改"), _("如需修改，须由效能办退回")]


def return_self_assessment(sheet: TargetSheet, reason: str, actor: User | None) -> None:
    """The 效能办 sends a handed-in 自评 back to the unit (before verification is closed)."""
    require_approved(sheet)
    reason = (reason or "").strip()
    if sheet.self_assessed_at is None:
        raise ValidationFailed(_("年终自评尚未提交，无需退回"))
    if sheet.verified_at is not None:
        raise ValidationFailed(_("现场核验已结束，不能退回自评；请先重新打开核验"))
    if not reason:
        raise ValidationFailed(_("请填写退回原因"))
    if len(reason) > 300:
        raise ValidationFailed(_("退回原因不能超过 300 字"))
    sheet.self_assessed_at = None
    audit.record(actor, "target_sheet.return_self_assessment", "target_sheet", sheet.id, unit_id=sheet.unit_id,
                 reason=reason)
    db.session.flush()


def remove_evidence(sheet: TargetSheet, evidence: TargetEvidence, actor: User | None, confirmed: bool = True) -> None:
    """Remove one evidence file of a 自评 not yet handed in. The stored file's record goes;
    its object stays in the store (content-addressed: the same bytes may back another record)."""
    require_self_open(sheet)
    require_confirmation(confirmed)
    stored = stored_file_of(evidence)
    leaf = evidence.result.target.node.code
    evidence.result.evidence.remove(evidence)
    db.session.delete(evidence)
    db.session.flush()
    audit.record(actor, "target_result.remove_evidence", "target_sheet", sheet.id, leaf=leaf,
                 filename=stored.original_name if stored else None)
    if stored is not None:
        db.session.delete(stored)
    db.session.flush()


def sheets_of_unit(unit_id: int) -> list[TargetSheet]:
    """The unit's approved sheets, newest year first (the year-end work happens on these)."""
    return list(db.session.scalars(
        select(TargetSheet).join(IndicatorSystem)
        .where(TargetSheet.unit_id == unit_id, TargetSheet.state == SheetState.APPROVED)
        .order_by(IndicatorSystem.year.desc(), TargetSheet.id)))


def approved_sheets(scope: frozenset[int] | None) -> list[tuple[TargetSheet, Unit]]:
    """Approved sheets of the units in `scope` (None: every unit), newest year first, by unit."""
    query = (select(TargetSheet, Unit).join(IndicatorSystem).join(Unit, Unit.id == TargetSheet.unit_id)
             .where(TargetSheet.state == SheetState.APPROVED)
             .order_by(IndicatorSystem.year.desc(), IndicatorSystem.category, Unit.name))
    if scope is not None:
        query = query.where(TargetSheet.unit_id.in_(scope))
    return [(sheet, unit) for sheet, unit in db.session.execute(query)]


def evidence_names(results: Iterable[TargetResult]) -> dict[int, StoredFile]:
    """Stored files of these results' evidence, by evidence id (one query)."""
    ids = {evidence.file_id: evidence.id for result in results for evidence in result.evidence}
    if not ids:
        return {}
    files = db.session.scalars(select(StoredFile).where(StoredFile.id.in_(ids))).all()
    return {ids[stored.id]: stored for stored in files}
