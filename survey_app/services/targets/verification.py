"""现场核验 by the 效能办 of a handed-in 自评: per leaf the verified value (or, for a judged
leaf, the judged score within 0..分值), a note, the date and the way; closing verification
locks the sheet for scoring, reopening it needs a reason. Every change is audited
(docs/targets.md, "Year-end self-assessment and verification").
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import User
from survey_app.models.target import TargetSheet, UnitTarget, VerificationWay
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation
from survey_app.services.targets import level_counts, systems
from survey_app.services.targets.year_end import (
    JUDGED,
    MAX_NOTE,
    VALUE_METHODS,
    find_target,
    leaves,
    parse_value,
    require_approved,
    result_of,
)


@dataclass
class VerifyEntry:
    """What the form sent for one leaf (text as typed; a level-bonus leaf: counts, one per level)."""

    value: str = ""
    judged: str = ""
    note: str = ""
    verified_on: str = ""
    way: str = ""
    counts: list[str] | None = None

    def is_untouched(self, prefill: str, prefill_counts: list[str] | None = None) -> bool:
        """Nothing but the prefilled value or counts (the unit's own, or none): this leaf is
        not being verified now. A value typed without a date is not untouched: it is refused."""
        extra = (self.judged, self.note, self.verified_on, self.way)
        counts = [text.strip() for text in self.counts or ()]
        return (not any(part.strip() for part in extra) and self.value.strip() in ("", prefill)
                and (not any(counts) or counts == (prefill_counts or [])))


def leaf_points(sheet: TargetSheet) -> dict[int, float]:
    """Each leaf node's effective 分值 (a weight's share of its parent's points)."""
    return {row.node.id: row.points for row in systems.tree_rows(sheet.system) if row.is_leaf}


def require_verification_open(sheet: TargetSheet) -> None:
    require_approved(sheet)
    if sheet.self_assessed_at is None:
        raise ValidationFailed(_("单位尚未提交年终自评，不能核验"))
    if sheet.verified_at is not None:
        raise ValidationFailed(_("现场核验已结束，已锁定；如需修改，请先重新打开核验"))


def _parse_date(text: str, name: str, today: date) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationFailed(_("“%(name)s”的核验日期格式不对（应为 2026-12-08）", name=name)) from None
    if day > today:
        raise ValidationFailed(_("“%(name)s”的核验日期不能晚于今天", name=name))
    if day.year < 2000:
        raise ValidationFailed(_("“%(name)s”的核验日期不对", name=name))
    return day


def _parse_way(text: str, name: str) -> VerificationWay:
    try:
        return VerificationWay(text.strip())
    except ValueError:
        raise ValidationFailed(_("请选择“%(name)s”的核验方式", name=name)) from None


def _parse_judged(text: str, target: UnitTarget, points: float) -> float:
    raw = text.strip()
    try:
        score = float(raw)
    except ValueError:
        raise ValidationFailed(_("“%(name)s”的评定得分“%(text)s”不是数字", name=target.node.name, text=raw[:30])) from None
    if not 0 <= score <= points:
        raise ValidationFailed(_("“%(name)s”的评定得分应在 0 到 %(points)s 分之间", name=target.node.name,
                                 points=f"{points:.10g}"))
    return score


def _checked(target: UnitTarget, entry: VerifyEntry, points: float, today: date) -> dict:
    node = target.node
    judged = node.method == JUDGED
    values = {"verified_value": None, "verified_counts": None, "judged_score": None}
    if judged:
        if entry.value.strip():
            raise ValidationFailed(_("“%(name)s”由核验评定得分，请填写评定得分而不是核验值", name=node.name))
        if not entry.judged.strip():
            raise ValidationFailed(_("请填写“%(name)s”的评定得分", name=node.name))
        values["judged_score"] = _parse_judged(entry.judged, target, points)
    elif level_counts.is_level(node):
        values["verified_counts"] = level_counts.parse_counts(entry.counts, node)
        if values["verified_counts"] is None:
            raise ValidationFailed(_("请填写“%(name)s”各级别的核验数量（没有填 0）", name=node.name))
    else:
        if entry.judged.strip():
            raise ValidationFailed(_("“%(name)s”不是评定计分的指标，请填写核验值", name=node.name))
        values["verified_value"] = parse_value(entry.value, node)
        if values["verified_value"] is None and node.method in VALUE_METHODS:
            raise ValidationFailed(_("请填写“%(name)s”的核验值", name=node.name))
    if not entry.verified_on.strip():
        raise ValidationFailed(_("请填写“%(name)s”的核验日期", name=node.name))
    note = entry.note.strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed(_("“%(name)s”的核验说明不能超过 %(max)d 字", name=node.name, max=MAX_NOTE))
    return {**values, "verification_note": note, "verified_on": _parse_date(entry.verified_on, node.name, today),
            "verification_way": _parse_way(entry.way, node.name)}


def _prefill(target: UnitTarget) -> str:
    """The value the verification form shows before anything is verified: the unit's own."""
    result = target.result
    if result is None or result.verified_value is not None or result.self_value is None:
        return ""
    return f"{result.self_value:.10g}"


def prefill_counts(target: UnitTarget) -> list[str]:
    """The counts the verification form shows for a level-bonus leaf: the verified ones,
    else the unit's own (one text per level, "" when neither is given)."""
    result = target.result
    if result is None:
        return level_counts.as_texts(None, target.node)
    counts = result.verified_counts if result.verified_counts is not None else result.self_counts
    return level_counts.as_texts(counts, target.node)


def _untouched_counts(target: UnitTarget) -> list[str] | None:
    """What a level leaf's inputs hold when the verifier left them as prefilled with the unit's own."""
    result = target.result
    if result is None or result.verified_counts is not None or result.self_counts is None:
        return None
    return level_counts.as_texts(result.self_counts, target.node)


FIELDS = ("verified_value", "verified_counts", "judged_score", "verification_note", "verified_on", "verification_way")


def _plain(value):
    return value.value if isinstance(value, VerificationWay) else value.isoformat() if isinstance(value, date) else value


def save_verification(sheet: TargetSheet, entries: Mapping[int, VerifyEntry], actor: User | None,
                      today: date) -> int:
    """Record the verification of the leaves given (by target id; entries left as the form
    prefilled them are skipped); return how many changed. One refused leaf changes nothing."""
    require_verification_open(sheet)
    points = leaf_points(sheet)
    errors: list[str] = []
    checked: dict[int, dict] = {}
    for target_id, entry in entries.items():
        target = find_target(sheet, target_id)
        if entry.is_untouched(_prefill(target), _untouched_counts(target)):
            continue
        try:
            checked[target_id] = _checked(target, entry, points.get(target.node_id, 0.0), today)
        except ValidationFailed as error:
            errors.append(error.message)
    if errors:
        raise ValidationFailed(errors[0], errors)
    changed = 0
    for target_id, values in checked.items():
        target = find_target(sheet, target_id)
        result = result_of(target)
        before = {name: getattr(result, name, None) for name in FIELDS}
        if all(before[name] == values[name] for name in FIELDS):
            continue
        for name in FIELDS:
            setattr(result, name, values[name])
        result.verified_by_id = actor.id if actor else None
        audit.record(actor, "target_result.verify", "target_sheet", sheet.id, leaf=target.node.code,
                     changes={name: [_plain(before[name]), _plain(values[name])] for name in FIELDS
                              if before[name] != values[name]})
        changed += 1
    db.session.flush()
    return changed


def unverified(sheet: TargetSheet) -> list[str]:
    """Names of the leaves scoring needs a verified value (or judged score) for, still without one."""
    missing = []
    for target in leaves(sheet):
        result, method = target.result, target.node.method
        if (method == JUDGED and (result is None or result.judged_score is None)
                or method in VALUE_METHODS and (result is None or result.verified_value is None)
                or level_counts.is_level(target.node) and (result is None or result.verified_counts is None)):
            missing.append(target.node.name)
    return missing


def close_verification(sheet: TargetSheet, actor: User | None, now: datetime, confirmed: bool = True) -> None:
    """Close 现场核验: the verified values are final and the sheet is scored from them."""
    require_verification_open(sheet)
    missing = unverified(sheet)
    if missing:
        raise ValidationFailed(_("以下指标还没有核验，不能结束核验：%(names)s", names="、".join(missing)))
    require_confirmation(confirmed)
    sheet.verified_at = now
    audit.record(actor, "target_sheet.close_verification", "target_sheet", sheet.id, unit_id=sheet.unit_id)
    db.session.flush()


def close_consequences(sheet: TargetSheet) -> list[str]:
    return [_("核验值和评定得分锁定，按此计分"), _("如需修改，须填写原因重新打开核验（记入操作日志）")]


def reopen_verification(sheet: TargetSheet, reason: str, actor: User | None) -> None:
    """Reopen closed verification, with the reason (audited)."""
    require_approved(sheet)
    reason = (reason or "").strip()
    if sheet.verified_at is None:
        raise ValidationFailed(_("现场核验尚未结束，无需重新打开"))
    if not reason:
        raise ValidationFailed(_("请填写重新打开核验的原因"))
    if len(reason) > 300:
        raise ValidationFailed(_("原因不能超过 300 字"))
    sheet.verified_at = None
    audit.record(actor, "target_sheet.reopen_verification", "target_sheet", sheet.id, unit_id=sheet.unit_id,
                 reason=reason)
    db.session.flush()
