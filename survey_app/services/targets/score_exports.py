"""Scores of an indicator system out of the app: a JSON document, an .xlsx workbook (the
ranking with 一级指标 subtotals and last year's figures, and every leaf's arithmetic) and
the chart of each unit's share of each leaf's points (得分率).

Everything here formats a ``scores.SystemScores`` already computed (and already cut to
the reader's units); user-typed text goes through ``sheets.write_sheet`` (formula injection).
"""

from io import BytesIO
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook

from analytics.target_charts import completion_heatmap
from survey_app.services.platform import sheets
from survey_app.services.targets.scores import LeafRow, SystemScores, UnitScore

SOURCES = {"verified": "核验值", "self": "自评值（预估）", "judged": "核验评定", "none": "未填报",
           "no_target": "未定目标值"}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _leaf(leaf: LeafRow) -> dict[str, Any]:
    return {"code": leaf.code, "name": leaf.name, "points": _round(leaf.points), "target": leaf.target,
            "difficulty": leaf.difficulty, "value": leaf.value, "source": leaf.source, "earned": _round(leaf.earned),
            "missing": leaf.is_missing, "provisional": leaf.is_provisional, "wording": leaf.wording}


def _unit(scores: SystemScores, unit: UnitScore) -> dict[str, Any]:
    return {"unit": unit.unit_name, "rank": unit.rank, "total": _round(unit.total), "final": unit.is_final,
            "subtotals": {t.name: _round(v) for t, v in zip(scores.top_level, unit.subtotals, strict=True)},
            "missing": list(unit.missing), "previous_total": _round(unit.previous_total),
            "previous_rank": unit.previous_rank, "leaves": [_leaf(leaf) for leaf in unit.leaves]}


def as_json(scores: SystemScores) -> dict[str, Any]:
    """The system's scores as a plain document (docs/targets.md, "Scores")."""
    return {"year": scores.year, "category": scores.category, "title": scores.title, "points": scores.points,
            "ranked_units": scores.ranked, "previous_year": scores.previous.year if scores.previous else None,
            "units": [_unit(scores, unit) for unit in scores.units]}


def _state(unit: UnitScore) -> str:
    return _("最终") if unit.is_final else _("预估")


def write_workbook(all_scores: list[SystemScores]) -> bytes:
    """One ranking sheet and one detail sheet per system (a year's categories)."""
    book = Workbook()
    book.remove(book.active)
    for scores in all_scores:
        suffix = f"（{scores.category}）" if len(all_scores) > 1 else ""
        top = [f"{t.name}（{t.points:g}）" for t in scores.top_level]
        ranking = book.create_sheet(sheets.safe_text(f"排名{suffix}"[:31]))
        sheets.write_sheet(ranking, ["名次", "单位", "状态", f"总分（{scores.points:g}）", *top, "上年总分", "上年名次",
                                     "名次变化", "未填报指标"], (
            [u.rank, u.unit_name, _state(u), _round(u.total), *[_round(v) for v in u.subtotals],
             _round(u.previous_total), u.previous_rank, u.rank_change, "、".join(u.missing)]
            for u in scores.units), [8, 24, 8, 12, *[14] * len(top), 10, 10, 10, 40])
        detail = book.create_sheet(sheets.safe_text(f"得分明细{suffix}"[:31]))
        sheets.write_sheet(detail, ["单位", "编号", "指标", "分值", "目标值", "难度系数", "实际值", "取值", "得分",
                                    "计算过程"], (
            [u.unit_name, leaf.code, leaf.name, _round(leaf.points), leaf.target, leaf.difficulty, leaf.value,
             SOURCES.get(leaf.source, leaf.source), _round(leaf.earned), leaf.wording]
            for u in scores.units for leaf in u.leaves), [24, 8, 24, 8, 10, 8, 10, 12, 8, 60])
    if not book.sheetnames:
        sheets.write_sheet(book.create_sheet("排名"), ["名次", "单位", "总分"], [], [8, 24, 12])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def chart(scores: SystemScores, fmt: str) -> bytes:
    """Each unit's 得分率 (earned ÷ points, %) on each leaf, units by rank."""
    labels = [f"{code} {name}" for code, name, _points in scores.leaves]
    shares = [[(leaf.earned / leaf.points * 100 if leaf.points else None) if not leaf.is_missing else None
               for leaf in unit.leaves] for unit in scores.units]
    return completion_heatmap([u.unit_name for u in scores.units], labels, shares,
                              title=_("各单位各指标得分率（%）"), missing_label=_("未填报"),
                              fmt="svg" if fmt == "svg" else "png")
