"""A sheet's rounds for reading: each round with what changed since the one before (a leaf's
old → new value and difficulty, and the comment given on it), for the sheet pages'
history (docs/targets.md, "Rounds and diffs"). Round 1 is compared with the blank sheet
(no value, difficulty 1).
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models.negotiation import TargetRound
from survey_app.models.target import IndicatorNode, TargetSheet, UnitTarget
from survey_app.services.targets import systems
from survey_app.services.targets.negotiation import ACTION_LABELS, STATE_LABELS, needs_target

BLANK = {"value": None, "difficulty": 1.0, "comment": ""}


@dataclass(frozen=True)
class LeafChange:
    node: IndicatorNode
    old_value: float | None
    new_value: float | None
    old_difficulty: float
    new_difficulty: float
    comment: str

    @property
    def value_changed(self) -> bool:
        return self.old_value != self.new_value

    @property
    def difficulty_changed(self) -> bool:
        return self.old_difficulty != self.new_difficulty


@dataclass(frozen=True)
class RoundView:
    round: TargetRound
    action_label: str
    state_label: str
    changes: list[LeafChange]


def _leaf(snapshot: dict[str, Any], node_id: int) -> dict[str, Any]:
    return {**BLANK, **(snapshot.get(str(node_id)) or {})}


def rounds_of(sheet: TargetSheet) -> list[RoundView]:
    """Every round of the sheet, oldest first, each with its changes against the one before:
    leaves whose value or difficulty changed, or that carry a comment in this round."""
    rounds = db.session.scalars(select(TargetRound).where(TargetRound.sheet_id == sheet.id)
                                .order_by(TargetRound.number)).all()
    nodes = {target.node_id: target.node for target in sheet.targets}
    order = sorted(nodes, key=lambda node_id: [int(part) for part in nodes[node_id].code.split(".")])
    views, previous = [], {}
    for round_ in rounds:
        changes = []
        for node_id in order:
            old, new = _leaf(previous, node_id), _leaf(round_.leaves, node_id)
            if old["value"] != new["value"] or old["difficulty"] != new["difficulty"] or new["comment"]:
                changes.append(LeafChange(nodes[node_id], old["value"], new["value"], old["difficulty"],
                                          new["difficulty"], new["comment"]))
        views.append(RoundView(round_, str(ACTION_LABELS[round_.action]), str(STATE_LABELS[round_.state]), changes))
        previous = round_.leaves
    return views


def latest_comments(sheet: TargetSheet) -> dict[int, str]:
    """The per-leaf comments of the sheet's latest round (shown beside each input)."""
    last = db.session.scalars(select(TargetRound).where(TargetRound.sheet_id == sheet.id)
                              .order_by(TargetRound.number.desc()).limit(1)).first()
    if last is None:
        return {}
    return {int(node_id): leaf.get("comment", "") for node_id, leaf in last.leaves.items() if leaf.get("comment")}


@dataclass(frozen=True)
class SheetRow:
    """A row of the tree on a sheet page: a parent, or a leaf with its target."""

    tree: Any  # systems.TreeRow
    target: UnitTarget | None
    needs_target: bool
    comment: str


def sheet_rows(sheet: TargetSheet) -> list[SheetRow]:
    """The system's tree, each leaf with the unit's target, whether its method needs one,
    and the latest round's comment on it."""
    targets = {target.node_id: target for target in sheet.targets}
    comments = latest_comments(sheet)
    rows = []
    for row in systems.tree_rows(sheet.system):
        target = targets.get(row.node.id) if row.is_leaf else None
        rows.append(SheetRow(row, target, bool(target) and needs_target(row.node), comments.get(row.node.id, "")))
    return rows
