"""Shared by the negotiation tests: a published 市直单位 system with a round started, two
units of the category (and one of another), and the people who act on their sheets."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Role, Unit
from survey_app.models.target import IndicatorNode, IndicatorSystem, TargetSheet
from survey_app.services.platform import users
from survey_app.services.targets import setting, systems
from tests.app.targets_helpers import demo_data

PASSWORD = "correct horse battery"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PROPOSAL_DUE, CONFIRMATION_DUE = date(2026, 3, 31), date(2026, 4, 30)


@dataclass
class World:
    system_id: int
    unit_a: int
    unit_b: int
    leaf_invest: int  # 1.1 招商引资到位资金 (linear deduction: needs a target)
    leaf_projects: int  # 1.2 重点项目完成数 (completion ratio: needs a target)
    leaf_judged: int  # 2.1 党建工作 (judged: needs none)


def build_world() -> World:
    """Call inside an app context; commits."""
    unit_a = Unit(name="市商务局", category="市直单位")
    unit_b = Unit(name="市交通运输局", category="市直单位")
    db.session.add_all([unit_a, unit_b, Unit(name="平邑县", category="县（市、区）")])
    db.session.flush()
    office = users.create_user("office", PASSWORD, Role.ORGANIZER, display_name="效能办")
    users.create_user("admin", PASSWORD, Role.ADMIN, display_name="管理员")
    users.create_user("reporter-a", PASSWORD, Role.REPORTER, display_name="商务局填报员", unit_ids=[unit_a.id])
    users.create_user("reporter-b", PASSWORD, Role.REPORTER, display_name="交通局填报员", unit_ids=[unit_b.id])
    users.create_user("organizer-a", PASSWORD, Role.ORGANIZER, display_name="商务局组织员", unit_ids=[unit_a.id])
    users.create_user("organizer-b", PASSWORD, Role.ORGANIZER, display_name="交通局组织员", unit_ids=[unit_b.id])
    users.create_user("viewer", PASSWORD, Role.VIEWER, display_name="领导")
    system = systems.import_system(demo_data(), office)
    systems.publish_system(system, office)
    setting.start_setting(system, office, PROPOSAL_DUE, CONFIRMATION_DUE, NOW)
    db.session.commit()
    codes = {node.code: node.id for node in system.nodes}
    return World(system.id, unit_a.id, unit_b.id, codes["1.1"], codes["1.2"], codes["2.1"])


def sheet(world: World, unit_id: int) -> TargetSheet:
    return db.session.scalars(select(TargetSheet).where(TargetSheet.system_id == world.system_id,
                                                        TargetSheet.unit_id == unit_id)).one()


def user(name: str):
    return users.find_user(name)


def system(world: World) -> IndicatorSystem:
    return db.session.get(IndicatorSystem, world.system_id)


def node(node_id: int) -> IndicatorNode:
    return db.session.get(IndicatorNode, node_id)


def db_snapshot() -> dict:
    """Every row of every table (inside an app context): equal snapshots, nothing changed."""
    return {table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables}
