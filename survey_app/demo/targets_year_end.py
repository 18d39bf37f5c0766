"""Demo year-end work: 市发展改革委's approved targets under the 2026 考核细则 of 市直单位,
with progress for the first three quarters, a handed-in 自评 with one small PDF of
evidence, and 现场核验 half done (docs/targets.md, "Year-end self-assessment and
verification").

The negotiation's demo may already have made this unit's sheet: then it is used as it is
when approved, and left alone in any other state (nothing is duplicated).
"""

from datetime import UTC, date, datetime
from io import BytesIO

from reportlab.lib.pagesizes import A5
from reportlab.pdfgen import canvas
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Unit, User
from survey_app.models.target import IndicatorSystem, SheetState, SystemStatus, TargetSheet, UnitTarget
from survey_app.services.targets import progress, systems, verification, year_end
from survey_app.services.targets.progress import ProgressEntry
from survey_app.services.targets.verification import VerifyEntry
from survey_app.services.targets.year_end import SelfEntry

UNIT_NAME = "市发展改革委"
#: 目标值 by leaf code (the demo system's leaves; None: the method needs none).
TARGETS = {"1.1": 50.0, "1.2": 12.0}
#: (quarter, reported at, {leaf: (value so far, account)}).
PROGRESS = (
    (1, datetime(2026, 4, 8, 2, 0, tzinfo=UTC), {"1.1": ("11.2", "一季度签约项目6个，到位资金11.2亿元"),
                                                 "1.2": ("2", "两个项目开工")}),
    (2, datetime(2026, 7, 7, 2, 0, tzinfo=UTC), {"1.1": ("24.5", "上半年累计到位24.5亿元"),
                                                 "1.2": ("5", "累计开工5个")}),
    (3, datetime(2026, 10, 9, 2, 0, tzinfo=UTC), {"1.1": ("37.8", "前三季度累计到位37.8亿元"),
                                                  "1.2": ("9", "累计完成9个，3个在建")}),
)
HANDED_IN_AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
VERIFIED_ON = date(2026, 12, 5)


def evidence_pdf() -> bytes:
    """A one-page PDF made with the project's PDF library: the demo's 证明材料."""
    buffer = BytesIO()
    page = canvas.Canvas(buffer, pagesize=A5, invariant=1)
    page.setTitle("Demo evidence")
    page.drawString(40, 500, "Pingyi demo evidence: investment ledger 2026")
    page.drawString(40, 480, "Funds in place: 48.6 (100 million yuan)")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _sheet(system: IndicatorSystem, unit: Unit) -> TargetSheet:
    sheet = db.session.scalar(select(TargetSheet).where(TargetSheet.system_id == system.id,
                                                        TargetSheet.unit_id == unit.id))
    if sheet is not None:
        return sheet
    sheet = TargetSheet(system=system, unit_id=unit.id, state=SheetState.APPROVED, approved_at=datetime(
        2026, 3, 20, 2, 0, tzinfo=UTC))
    for row in systems.tree_rows(system):
        if row.is_leaf:
            sheet.targets.append(UnitTarget(node=row.node, value=TARGETS.get(row.node.code)))
    db.session.add(sheet)
    db.session.flush()
    return sheet


def seed_year_end(admin: User) -> TargetSheet | None:
    """The demo unit's progress, 自评 and partial 核验; None when there is nothing to do."""
    system = db.session.scalar(select(IndicatorSystem).where(
        IndicatorSystem.year == 2026, IndicatorSystem.category == "市直单位",
        IndicatorSystem.status == SystemStatus.PUBLISHED))
    unit = db.session.scalar(select(Unit).where(Unit.name == UNIT_NAME))
    if system is None or unit is None:
        return None
    sheet = _sheet(system, unit)
    if sheet.state is not SheetState.APPROVED or sheet.self_assessed_at is not None:
        return None
    ids = {target.node.code: target.id for target in sheet.targets}
    for quarter, at, values in PROGRESS:
        entries = {ids[code]: ProgressEntry(value, account) for code, (value, account) in values.items()}
        progress.save_progress(sheet, quarter, entries, admin, at)
    year_end.save_self_assessment(sheet, {
        ids["1.1"]: SelfEntry("48.6", "全年签约项目21个，到位资金48.6亿元，完成目标的97.2%。",
                              [(evidence_pdf(), "招商引资到位资金台账.pdf")]),
        ids["1.2"]: SelfEntry("11", "完成11个，1个因用地调整顺延至明年一季度。"),
        ids["2.1"]: SelfEntry("", "党建工作台账已报送，详见现场核验材料。"),
        ids["3.1"]: SelfEntry("86.5", "改革创新案例评审得分。"),
        ids["3.2"]: SelfEntry("", "“一窗通办”经验获省级推广1项，市级推广2项。", counts=["0", "1", "2"]),
    }, admin, HANDED_IN_AT)
    year_end.hand_in(sheet, admin, HANDED_IN_AT)
    verification.save_verification(sheet, {
        ids["1.1"]: VerifyEntry("47.9", "", "商务局台账核减0.7亿元（一个项目资金次年到位）", VERIFIED_ON.isoformat(),
                                "data"),
        ids["2.1"]: VerifyEntry("", "18", "台账完整，主题教育有特色", VERIFIED_ON.isoformat(), "on_site"),
    }, admin, VERIFIED_ON)
    return sheet
