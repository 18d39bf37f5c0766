"""The 考察台账 (.xlsx) of the coverage page, for the same user, period and units: the
visits (sheet 1), the coverage calendar (sheet 2) and the milestones that are overdue
(sheet 3). Text cells go through `sheets.write_sheet`, which neutralises formulas.

For a unit-scoped user a joint visit shows only their units, the cadres whose current unit
is theirs, and the findings recorded in their units. Talks (个别谈话) are not visits and
never appear here.
"""

from collections import Counter
from collections.abc import Collection
from io import BytesIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from sqlalchemy import select

from survey_app import labels
from survey_app.extensions import db
from survey_app.models import EvidenceItem
from survey_app.models.inspection import Visit, VisitMethod
from survey_app.services.inspection.coverage import Coverage, MilestoneLine
from survey_app.services.platform.sheets import write_sheet
from survey_app.services.results import cadre_records


def methods_text(methods: Collection[str]) -> str:
    """A visit's methods in Chinese, 、-separated, in the list's order."""
    known = [m for m in VisitMethod if m.value in set(methods or ())]
    return "、".join(str(labels.VISIT_METHOD[m.value]) for m in known)


def period_text(visit: Visit) -> str:
    if visit.ends_on > visit.starts_on:
        return f"{visit.starts_on.isoformat()} – {visit.ends_on.isoformat()}"
    return visit.starts_on.isoformat()


def length_text(visit: Visit) -> str:
    days = (visit.ends_on - visit.starts_on).days + 1
    if days > 1:
        return _("%(n)d 天", n=days)
    return _("%(n)g 小时", n=visit.hours) if visit.hours else _("1 天")


def _cadre_units(keys: set[str]) -> dict[str, int | None]:
    latest: dict[str, cadre_records.CadreRecord] = {}
    for record in cadre_records.survey_records(keys) + cadre_records.plan_records(keys):
        if record.key not in latest or record.order > latest[record.key].order:
            latest[record.key] = record
    return {key: record.unit_id for key, record in latest.items()}


def findings_count(visit_ids: Collection[int], scope: Collection[int] | None) -> Counter:
    """How many dossier items were found on each visit (in the user's units only)."""
    counts: Counter = Counter()
    if not visit_ids:
        return counts
    rows = db.session.execute(select(EvidenceItem.visit_id, EvidenceItem.unit_id)
                              .where(EvidenceItem.visit_id.in_(list(visit_ids))))
    for visit_id, unit_id in rows:
        if scope is None or unit_id in scope:
            counts[visit_id] += 1
    return counts


VISIT_HEADERS = (_l("日期"), _l("考察事项"), _l("考察单位"), _l("重点项目"), _l("考察对象"), _l("考察方式"),
                 _l("是否打招呼"), _l("考察组成员"), _l("时长"), _l("发现事项"), _l("考察情况"))


def _visit_rows(coverage: Coverage, scope: Collection[int] | None) -> list[list]:
    keys = {c.subject_key for v in coverage.visits for c in v.cadres}
    names = cadre_records.latest_names(keys)
    units = _cadre_units(keys) if scope is not None else {}
    counts = findings_count([v.id for v in coverage.visits], scope)
    rows = []
    for visit in coverage.visits:
        shown_units = [u.name for u in visit.units if scope is None or u.id in scope]
        cadres = [f"{names.get(c.subject_key, '')}（{c.subject_key}）" for c in visit.cadres
                  if scope is None or units.get(c.subject_key) in scope]
        rows.append([period_text(visit), visit.title, "、".join(shown_units), visit.project.name if visit.project else "",
                     "、".join(cadres), methods_text(visit.methods), _("事先通知") if visit.announced else _("不打招呼"),
                     visit.team, length_text(visit), counts.get(visit.id, 0), visit.summary])
    return rows


def _calendar_rows(coverage: Coverage) -> list[list]:
    return [[line.name, line.category,
             *(f"{cell.label}（{cell.visits}）" if cell.visits else cell.label for cell in line.cells), line.missed]
            for line in coverage.lines]


def _milestone_row(line: MilestoneLine, why: str) -> list:
    check = line.check
    return [line.project, line.milestone, check.planned.isoformat(), check.actual.isoformat() if check.actual else "",
            f"{check.window_start.isoformat()} – {check.window_end.isoformat()}", line.label, why,
            check.days_overdue or "", check.days_since_window_closed or ""]


def ledger_workbook(coverage: Coverage, scope: Collection[int] | None) -> bytes:
    """Return the 考察台账 as .xlsx bytes."""
    workbook = Workbook()
    visits = workbook.active
    visits.title = _("考察纪实")
    write_sheet(visits, [str(h) for h in VISIT_HEADERS], _visit_rows(coverage, scope),
                [22, 30, 24, 20, 28, 24, 10, 20, 10, 9, 50])
    calendar = workbook.create_sheet(_("覆盖日历"))
    write_sheet(calendar, [_("单位"), _("类别"), *(str(m) for m in coverage.months), _("未覆盖月数")],
                _calendar_rows(coverage), [22, 16, *([13] * len(coverage.months)), 10])
    milestones = workbook.create_sheet(_("逾期节点"))
    rows = [_milestone_row(line, _("节点前后 %(n)d 天内未考察", n=coverage.window_days)) for line in coverage.uncovered]
    rows += [_milestone_row(line, _("计划日期已过，尚未完成")) for line in coverage.late
             if line not in coverage.uncovered]
    write_sheet(milestones, [_("重点项目"), _("节点"), _("计划日期"), _("实际日期"), _("考察窗口"), _("考察情况"),
                             _("逾期原因"), _("逾期天数"), _("窗口关闭天数")], rows, [24, 20, 12, 12, 24, 14, 24, 10, 12])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
