"""Evidence in a cadre's dossier (任务/进度/问题/成绩清单): recording, editing, verifying
and removing items, each change written to the audit log, and the items' view model.
A scoped user reaches only items recorded in their units.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import EvidenceItem, EvidenceKind, EvidenceSource, User, VerificationStatus
from survey_app.models.inspection import Visit
from survey_app.services.dossier.cadres import Cadre, in_scope
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation
from survey_app.services.platform.plain_values import enum_member, has_control_characters

#: Audit target type of changes to evidence items.
EVIDENCE_TARGET = "evidence"

KIND_LABELS = {
    EvidenceKind.TASK: _l("任务清单"),
    EvidenceKind.PROGRESS: _l("进度清单"),
    EvidenceKind.PROBLEM: _l("问题清单"),
    EvidenceKind.ACHIEVEMENT: _l("成绩清单"),
}
KIND_SHORT = {
    EvidenceKind.TASK: _l("任务"),
    EvidenceKind.PROGRESS: _l("进度"),
    EvidenceKind.PROBLEM: _l("问题"),
    EvidenceKind.ACHIEVEMENT: _l("成绩"),
}
SOURCE_LABELS = {
    EvidenceSource.SITE_VISIT: _l("实地查看"),
    EvidenceSource.INTERVIEW: _l("个别谈话"),
    EvidenceSource.AUDIT: _l("审计"),
    EvidenceSource.INSPECTION: _l("督查反馈"),
    EvidenceSource.PATROL: _l("巡视巡察反馈"),
    EvidenceSource.DOCUMENTS: _l("查阅资料"),
    EvidenceSource.MEETING: _l("列席旁听"),
    EvidenceSource.UNANNOUNCED: _l("明察暗访"),
    EvidenceSource.OTHER: _l("其他"),
}
STATUS_LABELS = {
    VerificationStatus.PENDING: _l("待核实"),
    VerificationStatus.VERIFIED: _l("已核实"),
    VerificationStatus.DISPUTED: _l("存疑"),
    VerificationStatus.REFUTED: _l("不属实"),
}

TITLE_MAX, DETAIL_MAX, NOTE_MAX, REASON_MAX = 200, 5000, 500, 300
ATTACHMENT_MAX, ATTACHMENTS_MAX = 200, 20
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class EvidenceView:
    id: int
    kind: EvidenceKind
    title: str
    detail: str
    occurred_on: date
    due_on: date | None
    source: EvidenceSource
    attachments: tuple[str, ...]
    status: VerificationStatus
    verified_by: str | None
    verified_at: datetime | None
    verification_note: str
    recorded_by: str
    unit: str
    created_at: datetime
    updated_at: datetime
    #: The visit (考察纪实) this item was found on, if any: its id and title.
    visit_id: int | None = None
    visit_title: str = ""
    #: Whose dossier it is (the visit page lists findings about several cadres).
    subject_key: str = ""
    subject_name: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_SHORT[self.kind])

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS[self.source])

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_open(self) -> bool:
        return self.status in (VerificationStatus.PENDING, VerificationStatus.DISPUTED)


def _user_name(user: User | None) -> str:
    return (user.display_name or user.username) if user else _("（已删除的账号）")


def _evidence_view(item: EvidenceItem) -> EvidenceView:
    visit = db.session.get(Visit, item.visit_id) if item.visit_id else None
    return EvidenceView(
        id=item.id, kind=item.kind, title=item.title, detail=item.detail, occurred_on=item.occurred_on,
        due_on=item.due_on, source=item.source, attachments=tuple(item.attachments or ()), status=item.status,
        verified_by=_user_name(item.verified_by) if item.verified_at else None, verified_at=item.verified_at,
        verification_note=item.verification_note, recorded_by=_user_name(item.recorded_by),
        unit=item.unit.name if item.unit else "", created_at=item.created_at, updated_at=item.updated_at,
        visit_id=item.visit_id, visit_title=visit.title if visit else "", subject_key=item.subject_key,
        subject_name=item.subject_name,
    )


def _attachments(value: Any) -> list[str]:
    lines = value.splitlines() if isinstance(value, str) else list(value or ())
    return list(dict.fromkeys(line.strip() for line in map(str, lines) if line.strip()))


def clean_evidence(data: Mapping[str, Any], today: date) -> dict[str, Any]:
    """Check an evidence item's fields; return them clean or raise ValidationFailed listing
    every problem (Chinese msgids)."""
    problems: list[str] = []
    kind = enum_member(EvidenceKind, data.get("kind"))
    source = enum_member(EvidenceSource, data.get("source"))
    title = str(data.get("title") or "").strip()
    detail = str(data.get("detail") or "").strip()
    occurred_on, due_on = data.get("occurred_on"), data.get("due_on") or None
    attachments = _attachments(data.get("attachments"))
    if kind is None:
        problems.append("请选择清单类别（任务、进度、问题、成绩）")
    if not title:
        problems.append("请填写事项")
    elif len(title) > TITLE_MAX:
        problems.append(_("事项不能超过 %(n)d 个字", n=TITLE_MAX))
    if len(detail) > DETAIL_MAX:
        problems.append(_("情况说明不能超过 %(n)d 个字", n=DETAIL_MAX))
    if has_control_characters(title) or has_control_characters(detail) or any(has_control_characters(a) for a in attachments):
        problems.append("文字中含有不可见的控制字符")
    if not isinstance(occurred_on, date):
        problems.append("请填写日期")
    elif occurred_on > today:
        problems.append("日期不能晚于今天")
    elif occurred_on < EARLIEST:
        problems.append("日期不能早于 2000 年")
    if due_on is not None and not isinstance(due_on, date):
        problems.append("完成时限不是有效日期")
    elif due_on is not None and isinstance(occurred_on, date) and due_on < occurred_on:
        problems.append("完成时限不能早于日期")
    if source is None:
        problems.append("请选择来源")
    if len(attachments) > ATTACHMENTS_MAX:
        problems.append(_("附件材料最多 %(n)d 条", n=ATTACHMENTS_MAX))
    if any(len(a) > ATTACHMENT_MAX for a in attachments):
        problems.append(_("每条附件材料不能超过 %(n)d 个字", n=ATTACHMENT_MAX))
    if problems:
        raise ValidationFailed(problems[0], problems)
    return {"kind": kind, "title": title, "detail": detail, "occurred_on": occurred_on, "due_on": due_on,
            "source": source, "attachments": attachments}


def _snapshot(item: EvidenceItem) -> dict[str, Any]:
    return {"kind": item.kind.value, "title": item.title, "detail": item.detail,
            "occurred_on": item.occurred_on.isoformat(), "due_on": item.due_on.isoformat() if item.due_on else None,
            "source": item.source.value, "attachments": list(item.attachments or ()), "status": item.status.value}


def _record(actor: User, action: str, item: EvidenceItem, **detail) -> None:
    audit.record(actor, action, EVIDENCE_TARGET, item.id, key=item.subject_key, name=item.subject_name, **detail)


def get_evidence(cadre: Cadre, evidence_id: int, unit_ids: Collection[int] | None = None) -> EvidenceItem:
    """Return one of the cadre's evidence items; raise NotFound for another cadre's, or one
    recorded outside `unit_ids` (the user's scope)."""
    item = db.session.get(EvidenceItem, evidence_id)
    if item is None or item.subject_key != cadre.key or not in_scope(unit_ids, item.unit_id):
        raise NotFound(_("没有找到该条记录"))
    return item


def evidence_view(item: EvidenceItem) -> EvidenceView:
    """Return the view model of one item (for its edit page)."""
    return _evidence_view(item)


def add_evidence(cadre: Cadre, data: Mapping[str, Any], actor: User, today: date,
                 visit: Visit | None = None) -> EvidenceItem:
    """Record an item in the cadre's dossier, 待核实, under the cadre's current unit; a
    finding of a visit keeps the visit (services/dossier/findings.py)."""
    clean = clean_evidence(data, today)
    item = EvidenceItem(subject_key=cadre.key, subject_name=cadre.name, unit_id=cadre.unit_id,
                        recorded_by_id=actor.id, status=VerificationStatus.PENDING,
                        visit_id=visit.id if visit else None, **clean)
    db.session.add(item)
    db.session.flush()
    extra = {"visit_id": visit.id, "visit": visit.title} if visit else {}
    _record(actor, "dossier.evidence_add", item, **_snapshot(item), **extra)
    return item


def update_evidence(item: EvidenceItem, data: Mapping[str, Any], actor: User, today: date) -> bool:
    """Change an item's content. A verified (or doubted) item whose content changes goes back
    to 待核实: the verification covered the old wording. Return whether it was reset."""
    clean = clean_evidence(data, today)
    before = _snapshot(item)
    changed = {field: value for field, value in clean.items() if getattr(item, field) != value}
    if not changed:
        return False
    for field, value in changed.items():
        setattr(item, field, value)
    reset = item.status is not VerificationStatus.PENDING
    if reset:
        item.status, item.verified_at, item.verified_by_id = VerificationStatus.PENDING, None, None
        item.verification_note = ""
    db.session.flush()
    after = _snapshot(item)
    _record(actor, "dossier.evidence_edit", item, verification_reset=reset,
            changes={field: [before[field], after[field]] for field in changed})
    return reset


def verify_evidence(item: EvidenceItem, status: Any, note: str, actor: User, now: datetime) -> None:
    """Set the verification status (待核实 undoes a decision); 存疑 and 不属实 need a note."""
    wanted = enum_member(VerificationStatus, status)
    note = (note or "").strip()
    if wanted is None:
        raise ValidationFailed(_("请选择核实结果"))
    if wanted in (VerificationStatus.DISPUTED, VerificationStatus.REFUTED) and not note:
        raise ValidationFailed(_("存疑或不属实时，请写明核实情况"))
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_("核实情况不能超过 %(n)d 个字", n=NOTE_MAX))
    before = item.status
    if wanted is VerificationStatus.PENDING:
        item.verified_at, item.verified_by_id, item.verification_note = None, None, note
    else:
        item.verified_at, item.verified_by_id, item.verification_note = now, actor.id, note
    item.status = wanted
    db.session.flush()
    _record(actor, "dossier.evidence_verify", item, status=[before.value, wanted.value], note=note)


def remove_evidence(item: EvidenceItem, reason: str, actor: User, *, confirmed: bool = True) -> None:
    """Delete an item with a stated reason; the audit entry keeps its full content. The web
    passes `confirmed` from its confirmation page."""
    require_confirmation(confirmed)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请写明删除原因"))
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_("删除原因不能超过 %(n)d 个字", n=REASON_MAX))
    _record(actor, "dossier.evidence_remove", item, reason=reason, removed=_snapshot(item))
    db.session.delete(item)
    db.session.flush()


def removal_consequences(item: EvidenceItem) -> list[str]:
    """Say what deleting an evidence item takes from the dossier."""
    return [_("“%(title)s”（%(kind)s，%(day)s）将从 %(name)s 的档案中删除，连同 %(n)d 个附件和核实结果，"
              "不能恢复。", title=item.title, kind=KIND_LABELS[item.kind], day=item.occurred_on.isoformat(),
              name=item.subject_name, n=len(item.attachments or ())),
            _("原内容和删除原因保留在操作日志中。")]
