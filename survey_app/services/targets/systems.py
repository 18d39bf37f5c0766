"""Indicator systems stored: created from their checked plain form (JSON or Excel), exported
back to it, listed, shown as an indented table, published (locked) and deleted while
drafts. Services flush, never commit; the caller commits once.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select

from survey_app.errors import InvalidTransition, StructureLocked, ValidationFailed
from survey_app.extensions import db
from survey_app.models import User
from survey_app.models.base import utcnow
from survey_app.models.target import Direction, IndicatorNode, IndicatorSystem, SystemStatus
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation
from survey_app.services.targets import json_format, methods
from survey_app.services.targets.checking import placed_nodes

TARGET = "indicator_system"
FORMAT_VERSION = 1


# ---- import ----------------------------------------------------------------------------------


def import_system(data: Any, actor: User | None, source: str = "json") -> IndicatorSystem:
    """Store a system from its JSON form (text, bytes or parsed) as a new draft, or raise
    ValidationFailed listing every problem (nothing stored)."""
    parsed, problems = json_format.checked_system(data)
    if problems or parsed is None:
        raise ValidationFailed(_("考核细则有误，未导入"), problems)
    return store_system(parsed, actor, source)


def store_system(data: Mapping[str, Any], actor: User | None, source: str) -> IndicatorSystem:
    """Store an already checked plain system as a new draft."""
    system = IndicatorSystem(year=int(data["year"]), category=data["category"].strip(), title=data["title"].strip(),
                             points=float(data["points"]), status=SystemStatus.DRAFT,
                             created_by_id=actor.id if actor else None)
    db.session.add(system)
    db.session.flush()
    ids: dict[str, int] = {}
    for node in placed_nodes(list(data["indicators"])):
        row = _node(system, node.code, node.data, ids.get(node.parent) if node.parent else None)
        db.session.add(row)
        db.session.flush()
        ids[node.code] = row.id
    audit.record(actor, "indicator_system.import", TARGET, system.id, title=system.title, year=system.year,
                 category=system.category, source=source, indicators=len(ids))
    return system


def _node(system: IndicatorSystem, code: str, data: Mapping[str, Any], parent_id: int | None) -> IndicatorNode:
    is_leaf = not data.get("children")
    return IndicatorNode(
        system=system, parent_id=parent_id, position=int(code.rsplit(".", 1)[-1]) - 1, code=code,
        name=data["name"].strip(), points=_float(data.get("points")), weight=_float(data.get("weight")),
        unit_of_measure=data.get("unit", "").strip(), direction=Direction(data.get("direction", "higher")),
        criteria=data.get("criteria", "").strip(), data_note=data.get("data_note", "").strip(),
        method=data.get("method") if is_leaf else None,
        parameters=dict(data.get("parameters") or {}) if is_leaf and data.get("method") else None,
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


# ---- export ----------------------------------------------------------------------------------


def _children(system: IndicatorSystem) -> dict[int | None, list[IndicatorNode]]:
    children: dict[int | None, list[IndicatorNode]] = {}
    for node in sorted(system.nodes, key=lambda n: n.position):
        children.setdefault(node.parent_id, []).append(node)
    return children


def plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def export_system(system: IndicatorSystem) -> dict[str, Any]:
    """The system's JSON form (what import_system reads back)."""
    children = _children(system)

    def export(node: IndicatorNode) -> dict[str, Any]:
        item: dict[str, Any] = {"code": node.code, "name": node.name}
        if node.points is not None:
            item["points"] = plain_number(node.points)
        else:
            item["weight"] = node.weight
        item.update(unit=node.unit_of_measure, direction=node.direction.value, criteria=node.criteria,
                    data_note=node.data_note)
        if node.method:
            item.update(method=node.method, parameters=node.parameters or {})
        if node.id in children:
            item["children"] = [export(child) for child in children[node.id]]
        return item

    return {"format_version": FORMAT_VERSION, "year": system.year, "category": system.category,
            "title": system.title, "points": plain_number(system.points),
            "indicators": [export(node) for node in children.get(None, [])]}


# ---- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SystemSummary:
    system: IndicatorSystem
    leaves: int
    leaf_points: float


@dataclass(frozen=True)
class TreeRow:
    """One row of the indented table: the node, its depth (1 for 一级), its effective points
    and its method in words."""

    node: IndicatorNode
    depth: int
    points: float
    method_text: str
    is_leaf: bool


def tree_rows(system: IndicatorSystem) -> list[TreeRow]:
    """The tree depth first, with every node's effective points (a weight's share of its parent's)."""
    children = _children(system)
    rows: list[TreeRow] = []
    stack = [(node, 1, float(system.points)) for node in reversed(children.get(None, []))]
    while stack:
        node, depth, parent_points = stack.pop()
        points = node.points if node.points is not None else parent_points * (node.weight or 0.0)
        is_leaf = node.id not in children
        rows.append(TreeRow(node, depth, points, methods.describe(node.method, node.parameters), is_leaf))
        stack.extend((child, depth + 1, points) for child in reversed(children.get(node.id, [])))
    return rows


def list_systems() -> list[SystemSummary]:
    """Every system, newest year first, with its leaf count and the points of its leaves."""
    systems = db.session.scalars(select(IndicatorSystem).order_by(
        IndicatorSystem.year.desc(), IndicatorSystem.category, IndicatorSystem.id)).all()
    summaries = []
    for system in systems:
        leaves = [row for row in tree_rows(system) if row.is_leaf]
        summaries.append(SystemSummary(system, len(leaves), sum(row.points for row in leaves)))
    return summaries


def systems_of_year(year: int) -> list[IndicatorSystem]:
    return list(db.session.scalars(select(IndicatorSystem).where(IndicatorSystem.year == year)
                                   .order_by(IndicatorSystem.category, IndicatorSystem.id)))


# ---- lifecycle -------------------------------------------------------------------------------


def publication_consequences(system: IndicatorSystem) -> list[str]:
    return [_("考核细则“%(title)s”将锁定，不能再修改或删除", title=system.title),
            _("如需调整，请导入新的草稿")]


def removal_consequences(system: IndicatorSystem) -> list[str]:
    return [_("考核细则“%(title)s”及其全部 %(count)d 个指标将被永久删除", title=system.title,
              count=len(system.nodes))]


def publish_system(system: IndicatorSystem, actor: User | None, confirmed: bool = True) -> None:
    """Publish a draft (locking it); one published system per year and unit category."""
    if system.is_locked:
        raise InvalidTransition(_("考核细则已发布，不能重复发布"))
    other = db.session.scalar(select(IndicatorSystem.id).where(
        IndicatorSystem.year == system.year, IndicatorSystem.category == system.category,
        IndicatorSystem.status == SystemStatus.PUBLISHED, IndicatorSystem.id != system.id))
    if other is not None:
        raise InvalidTransition(_("%(year)d 年度“%(category)s”已有发布的考核细则，不能再发布一份",
                                  year=system.year, category=system.category))
    require_confirmation(confirmed)
    system.status, system.published_at = SystemStatus.PUBLISHED, utcnow()
    audit.record(actor, "indicator_system.publish", TARGET, system.id, title=system.title)
    db.session.flush()


def delete_system(system: IndicatorSystem, actor: User | None, confirmed: bool = True) -> None:
    """Delete a draft and its indicators; a published system is locked."""
    if system.is_locked:
        raise StructureLocked(_("考核细则已发布，已锁定，不能删除"))
    require_confirmation(confirmed)
    audit.record(actor, "indicator_system.delete", TARGET, system.id, title=system.title)
    # One statement for the nodes: the database's cascade orders the self-referencing rows.
    db.session.execute(delete(IndicatorNode).where(IndicatorNode.system_id == system.id))
    db.session.expire(system, ["nodes"])
    db.session.delete(system)
    db.session.flush()
