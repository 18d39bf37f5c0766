"""A unit plan's bonus and deduction items taken from the registers of 正向激励 and 效能督查
(docs/assessment.md, "Items from the registers").

For each subject with a unit, the approved register items of the plan's year for that unit
become the subject's Adjustments, each linked to its item (`register_entry_id`). A sync
replaces the items an earlier sync brought (updated, added or removed to match the
registers now); items entered by hand stay. Synced items are read-only in the plan: they
are changed in the register and synced again. A confirmed plan refuses.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _

from survey_app.errors import ValidationFailed
from survey_app.models import User
from survey_app.models.assessment import Adjustment, AssessmentPlan, PlanSubject, PlanSubjectKind
from survey_app.models.register import RegisterEntry
from survey_app.services.assessment.editing import require_unconfirmed
from survey_app.services.assessment.scoring import recomputed_plan
from survey_app.services.platform.confirmation import require_confirmation
from survey_app.services.targets import registers

#: Adjustment.reason holds at most this many characters.
REASON_MAX = 300


def _values(entry: RegisterEntry) -> tuple:
    """What a synced Adjustment holds of its item: kind, points, reason, document."""
    return entry.kind, entry.points, entry.title[:REASON_MAX], entry.document[:200]


def _held(item: Adjustment) -> tuple:
    return item.kind, item.points, item.reason, item.document


@dataclass
class SubjectSync:
    """What a sync changes for one subject: items added, updated, removed and kept."""

    subject: PlanSubject
    added: list[RegisterEntry] = field(default_factory=list)
    updated: list[tuple[Adjustment, RegisterEntry]] = field(default_factory=list)
    removed: list[Adjustment] = field(default_factory=list)
    unchanged: list[Adjustment] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.updated) + len(self.removed)


@dataclass
class SyncPreview:
    plan: AssessmentPlan
    subjects: list[SubjectSync]

    @property
    def changes(self) -> int:
        return sum(s.changes for s in self.subjects)

    @property
    def changed_subjects(self) -> list[SubjectSync]:
        return [s for s in self.subjects if s.changes]


def _require_syncable(plan: AssessmentPlan) -> None:
    require_unconfirmed(plan)
    if plan.subject_kind is not PlanSubjectKind.UNIT:
        raise ValidationFailed(_("只有以单位为考核对象的方案可以从登记簿同步加减分"))


def preview_sync(plan: AssessmentPlan) -> SyncPreview:
    """What a sync would change now, subject by subject (nothing is changed)."""
    _require_syncable(plan)
    unit_ids = {s.unit_id for s in plan.subjects if s.unit_id is not None}
    by_unit: dict[int, list[RegisterEntry]] = {}
    for entry in registers.approved_entries(plan.year, unit_ids):
        by_unit.setdefault(entry.unit_id, []).append(entry)
    result = []
    for subject in plan.subjects:
        wanted = {entry.id: entry for entry in by_unit.get(subject.unit_id, [])}
        sync = SubjectSync(subject)
        for item in subject.adjustments:
            if item.register_entry_id is None:
                continue
            entry = wanted.pop(item.register_entry_id, None)
            if entry is None:
                sync.removed.append(item)
            elif _values(entry) != _held(item):
                sync.updated.append((item, entry))
            else:
                sync.unchanged.append(item)
        sync.added = list(wanted.values())
        result.append(sync)
    return SyncPreview(plan, result)


def _item_detail(entry: RegisterEntry) -> dict:
    return {"entry": entry.id, "kind": entry.kind.value, "points": entry.points, "reason": entry.title[:REASON_MAX],
            "document": entry.document[:200]}


def sync_plan(plan: AssessmentPlan, actor: User, *, confirmed: bool = True) -> SyncPreview:
    """Bring the approved register items of the plan's year into the plan (see the module
    docstring); one audit entry lists every change with the composites before and after.
    Returns what changed."""
    preview = preview_sync(plan)
    require_confirmation(confirmed)
    with recomputed_plan(plan, actor, "assessment.register_sync", year=plan.year) as extra:
        changed = []
        for sync in preview.changed_subjects:
            for entry in sync.added:
                kind, points, reason, document = _values(entry)
                sync.subject.adjustments.append(Adjustment(
                    kind=kind, points=points, reason=reason, document=document, register_entry_id=entry.id,
                    created_by_id=actor.id if actor else None))
            for item, entry in sync.updated:
                item.kind, item.points, item.reason, item.document = _values(entry)
            for item in sync.removed:
                sync.subject.adjustments.remove(item)
            changed.append({"subject": sync.subject.key,
                            "added": [_item_detail(e) for e in sync.added],
                            "updated": [_item_detail(e) for _item, e in sync.updated],
                            "removed": [{"entry": i.register_entry_id, "points": i.points, "reason": i.reason}
                                        for i in sync.removed]})
        extra["subjects"] = [c["subject"] for c in changed]
        extra["changes"] = changed
    return preview
