"""Shared by the year-end tests: an approved target sheet made directly with the models (the
negotiation that brings a sheet there is another module's), evidence bytes, a file store in
a temporary folder."""

from datetime import UTC, datetime

from survey_app.extensions import db
from survey_app.models import Unit
from survey_app.models.target import IndicatorSystem, SheetState, SystemStatus, TargetSheet, UnitTarget
from survey_app.services.platform import file_store
from survey_app.services.targets import systems
from tests.app.targets_helpers import demo_data

NOW = datetime(2026, 12, 8, 9, 30, tzinfo=UTC)
#: A small real PDF (a reader opens it: header, catalog, trailer, end marker).
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
#: The demo system's leaves by code → the 目标值 these sheets get (None: the method needs none).
TARGETS = {"1.1": 50.0, "1.2": 10.0, "2.1": None, "2.2": None, "3.1": None, "3.2": None}


def use_tmp_file_store(app, tmp_path) -> None:
    """Evidence goes to a folder of the test, never the instance folder."""
    app.config.update(FILES_BACKEND="local", FILES_LOCAL_DIR=str(tmp_path / "files"))
    file_store.init_app(app)


def published_system(actor) -> IndicatorSystem:
    """The demo 考核细则, published (reused when one is there already)."""
    from sqlalchemy import select

    found = db.session.scalar(select(IndicatorSystem).where(IndicatorSystem.status == SystemStatus.PUBLISHED))
    if found is not None:
        return found
    system = systems.import_system(demo_data(), actor)
    systems.publish_system(system, actor)
    return system


def unit_named(name: str, category: str = "市直单位") -> Unit:
    from sqlalchemy import select

    unit = db.session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        unit = Unit(name=name, category=category)
        db.session.add(unit)
        db.session.flush()
    return unit


def approved_sheet(unit_id: int, actor, system: IndicatorSystem | None = None) -> TargetSheet:
    """An approved sheet of the unit under the (published) demo system, one target per leaf."""
    system = system or published_system(actor)
    sheet = TargetSheet(system=system, unit_id=unit_id, state=SheetState.APPROVED, approved_at=NOW)
    for row in systems.tree_rows(system):
        if row.is_leaf:
            sheet.targets.append(UnitTarget(node=row.node, value=TARGETS.get(row.node.code)))
    db.session.add(sheet)
    db.session.flush()
    return sheet


def target_of(sheet: TargetSheet, code: str) -> UnitTarget:
    return next(target for target in sheet.targets if target.node.code == code)
