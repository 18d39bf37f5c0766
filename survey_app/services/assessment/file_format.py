"""The assessment's files as a format: the sheet and column names of the score and
bonus/deduction workbooks (never translated: they are the format, not interface text),
the score template's component mark, the download file names, and the sheet-writing
helpers the templates and the committee workbook share.
"""

import re
from collections.abc import Collection, Iterable, Sequence
from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from survey_app.errors import NotFound, ValidationFailed
from survey_app.models.assessment import (
    Adjustment,
    AssessmentPlan,
    ComponentSource,
    PlanComponent,
    PlanSubject,
)
from survey_app.services.platform.sheets import safe_text, write_sheet

HELP_SHEET = "说明"
SCORE_SHEET = "得分"
BONUS_SHEET = "正向激励"
DEDUCTION_SHEET = "效能督查"
SUBJECT_LIST_SHEET = "考核对象"
KEY, NAME, UNIT, CATEGORY = "编号", "名称", "所在单位", "类别"
SELF_SCORE, VERIFIED_SCORE = "自评分", "核验分"
POINTS, REASON, FINDING, DOCUMENT = "分值", "事由", "发现的问题", "记录文件"
#: Other headers organizers use for the same columns.
HEADER_ALIASES = {"核定分": VERIFIED_SCORE, "姓名或名称": NAME, "名称或姓名": NAME, "姓名": NAME}
#: Columns each sheet must have (any order; other columns are ignored).
SCORE_COLUMNS = (KEY, NAME, SELF_SCORE, VERIFIED_SCORE)
BONUS_COLUMNS = (KEY, NAME, POINTS, REASON)
DEDUCTION_COLUMNS = (KEY, NAME, POINTS, FINDING, DOCUMENT)
#: The score template's first row names its component; an upload for another is refused.
COMPONENT_MARK = "考评项目："
REASON_LENGTH = Adjustment.__table__.c["reason"].type.length
DOCUMENT_LENGTH = Adjustment.__table__.c["document"].type.length
MAX_DATA_ROWS = 10_000
#: How many rows from the top an upload's header row may start at.
HEADER_SEARCH_ROWS = 10
SCORE_FORMAT = "0.00"


def file_error_message() -> str:
    """The message of a refused upload: nothing was imported."""
    return _("文件有误，未导入任何数据")


def component_mark(component: PlanComponent) -> str:
    """The text of a score template's first row: which category and component it is for."""
    return f"{COMPONENT_MARK}{component.category.name}／{component.name}"


def visible_subjects(plan: AssessmentPlan, unit_ids: Collection[int] | None) -> list[PlanSubject]:
    """The plan's subjects within `unit_ids` (all of them for None)."""
    return [s for s in plan.subjects if unit_ids is None or s.unit_id in unit_ids]


def write_titled_sheet(
    sheet: Worksheet,
    titles: Sequence[str],
    headers: Sequence[str],
    rows: Iterable[Sequence],
    widths: Sequence[int],
    formats: dict[int, str] | None = None,
    *,
    frozen_columns: int = 0,
    marked: bool = False,
) -> None:
    """`write_sheet` under title rows: the header and the title rows stay frozen; with
    `marked` the first title is red (草稿)."""
    write_sheet(sheet, headers, rows, widths, formats)
    sheet.insert_rows(1, len(titles))
    for number, title in enumerate(titles, 1):
        cell = sheet.cell(row=number, column=1, value=safe_text(title))
        cell.font = Font(
            bold=number == 1,
            size=13 if number == 1 else 10,
            color="C00000" if marked and number == 1 else None,
        )
    sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{len(titles) + 2}"


def write_help_sheet(sheet: Worksheet, lines: Sequence[str]) -> None:
    """Make `sheet` the 说明 sheet: one wrapped line per row, the first as a heading."""
    sheet.title = HELP_SHEET
    for line in lines:
        sheet.append([safe_text(line)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110
    for (cell,) in sheet.iter_rows(max_col=1):
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def format_as_text_column(sheet: Worksheet, column: int, first_row: int) -> None:
    """Format a key column as text, so Excel keeps keys such as 007 as typed."""
    sheet.column_dimensions[get_column_letter(column)].number_format = "@"
    for (cell,) in sheet.iter_rows(min_row=first_row, min_col=column, max_col=column):
        cell.number_format = "@"


def workbook_bytes(workbook: Workbook) -> bytes:
    """Return the saved .xlsx file."""
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def require_manual_component(plan: AssessmentPlan, component: PlanComponent) -> None:
    """Refuse a component of another plan (NotFound) or one whose scores come from a linked
    survey (ValidationFailed): only manual components take imported scores."""
    if component.category.plan_id != plan.id:
        raise NotFound(_("考评项目不存在"))
    if component.source is not ComponentSource.MANUAL:
        raise ValidationFailed(_("“%(name)s”的得分来自关联的评议活动，不能导入", name=component.name))


def download_name(plan: AssessmentPlan, suffix: str) -> str:
    """Return a file name like "2026年度干部考核-考核结果.xlsx" without path or control characters."""
    stem = plan.title.strip(" ._") or str(plan.id)
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", f"{stem}-{suffix}")
