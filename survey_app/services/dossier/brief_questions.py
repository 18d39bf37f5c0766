"""The questions a pre-visit brief ends with (进点前调阅: "带着问题去蹲点求证"), each tied to the
fact that prompted it. The rules (docs/inspection.md, "Pre-visit brief"), in the order the
questions are listed:

1. signals from the evaluations, latest survey of each kind (民主测评, 服务质量评议):
   - an index down by DROP_POINTS or more on the year before → 下降的原因？
   - respondent groups that disagree (the results' own 评价分歧 flag) → 评价差异的原因？
   - a dimension below LOW_INDEX, or LOW_GAP or more below the subject's own index → 偏低的原因？
2. evidence, oldest first, one question per item:
   - a 巡视巡察反馈 item (not 不属实) → 整改落实情况如何？有无佐证材料？
   - an item 存疑 → 说法为何不一致？请当面核实
   - a problem 已核实 → 整改进展如何？有无佐证材料？
   - a problem 待核实 → 是否属实？如属实，整改进展如何？
   - any other item 待核实 → 是否属实？有无佐证材料？
3. each overdue milestone of a linked key project, most days first → 滞后 N 天的原因和赶进措施？

Verified items other than problems, and items found 不属实, prompt nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from survey_app.models import EvidenceKind, EvidenceSource, VerificationStatus

DROP_POINTS = 5.0
LOW_INDEX = 60.0
LOW_GAP = 10.0


@dataclass(frozen=True, slots=True)
class ItemLine:
    """An evidence item as the brief shows it."""

    id: int
    subject: str  # the cadre's name in a unit's brief; "" in a cadre's own
    kind: EvidenceKind
    status: VerificationStatus
    source: EvidenceSource
    title: str
    detail: str
    occurred_on: date
    note: str
    kind_label: str
    status_label: str
    source_label: str
    visit: str  # "date title" of the visit it was found on, or ""


@dataclass(frozen=True, slots=True)
class OverdueLine:
    project: str
    milestone: str
    planned_on: date
    days: int


@dataclass(frozen=True, slots=True)
class Signal:
    """Something in the evaluation results worth a question: the fact, and its question."""

    fact: str
    question: str


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    basis: str  # the fact that prompted it


def signals(trends: Iterable) -> tuple[Signal, ...]:
    """Drops, disagreements and low dimensions in the latest survey of each trend kind."""
    found = []
    for trend in trends:
        latest = trend.points[-1]
        where = _("%(year)d年%(kind)s", year=latest.year, kind=trend.kind_label)
        change = trend.change
        if change is not None and change <= -DROP_POINTS:
            found.append(Signal(
                _("%(where)s指数 %(now).1f，较上年 %(before).1f 下降 %(drop).1f 分", where=where, now=latest.index,
                  before=trend.points[-2].index, drop=-change),
                _("%(kind)s指数较上年下降 %(drop).1f 分，原因何在？", kind=trend.kind_label, drop=-change)))
        row = latest.row
        if row.is_disagreement_flagged and row.disagreement_groups:
            high, low = row.disagreement_groups
            found.append(Signal(
                _("%(where)s：%(high)s与%(low)s评价相差 %(gap).1f 分", where=where, high=high, low=low,
                  gap=row.disagreement_gap or 0.0),
                _("%(high)s与%(low)s对其评价差异较大，差异的原因？", high=high, low=low)))
        for label, value in zip(latest.dimension_labels, row.dimensions, strict=False):
            if value is None:
                continue
            if value < LOW_INDEX or (latest.index is not None and latest.index - value >= LOW_GAP):
                found.append(Signal(
                    _("%(where)s：“%(dimension)s”维度指数 %(value).1f（总体 %(index)s）", where=where, dimension=label,
                      value=value, index="—" if latest.index is None else f"{latest.index:.1f}"),
                    _("“%(dimension)s”方面评价偏低，原因何在？有哪些具体表现？", dimension=label)))
    return tuple(found)


def _item_question(item: ItemLine) -> str | None:
    title = item.title
    if item.source is EvidenceSource.PATROL and item.status is not VerificationStatus.REFUTED:
        return _("巡视巡察反馈“%(title)s”整改落实情况如何？有无佐证材料？", title=title)
    if item.status is VerificationStatus.DISPUTED:
        return _("“%(title)s”存疑，各方说法为何不一致？请当面核实并取得佐证材料。", title=title)
    if item.kind is EvidenceKind.PROBLEM and item.status is VerificationStatus.VERIFIED:
        return _("“%(title)s”整改进展如何？有无佐证材料？", title=title)
    if item.kind is EvidenceKind.PROBLEM and item.status is VerificationStatus.PENDING:
        return _("“%(title)s”是否属实？如属实，整改进展如何？", title=title)
    if item.status is VerificationStatus.PENDING:
        return _("“%(title)s”是否属实？有无佐证材料？", title=title)
    return None


def item_basis(item: ItemLine) -> str:
    """The fact behind an item's question: list, status, source, date (and the cadre)."""
    parts = [item.subject, item.kind_label, item.status_label, item.source_label, item.occurred_on.isoformat()]
    return "｜".join(p for p in parts if p)


def questions(found: Iterable[Signal], items: Iterable[ItemLine], overdue: Iterable[OverdueLine]) -> tuple[Question, ...]:
    """The brief's questions, in the module's order; each item asked about once."""
    asked = [Question(s.question, s.fact) for s in found]
    seen: set[int] = set()
    for item in sorted(items, key=lambda i: (i.occurred_on, i.id)):
        if item.id in seen:
            continue
        seen.add(item.id)
        text = _item_question(item)
        if text:
            text = f"{item.subject}：{text}" if item.subject else text
            asked.append(Question(text, item_basis(item)))
    for line in overdue:
        asked.append(Question(
            _("“%(project)s”的节点“%(milestone)s”滞后 %(days)d 天的原因和赶进措施？", project=line.project,
              milestone=line.milestone, days=line.days),
            _("重点项目节点计划 %(planned)s 完成，至今逾期 %(days)d 天", planned=line.planned_on.isoformat(),
              days=line.days)))
    return tuple(asked)
