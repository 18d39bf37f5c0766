"""The roster (名册) workbook format: its sheets and columns, the length limits taken from
the models, the plain rows a file is read into, and the empty template with its
instructions. Reading a file is roster_reading.py, importing it rosters.py; see
docs/rosters.md for the format and the messages.
"""

from dataclasses import dataclass
from io import BytesIO

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from survey_app.models import RespondentGroup, Subject, SubjectKind, Unit

# ---- the workbook format ------------------------------------------------------------------
# Sheet and column names are the file format, not interface text: they are never translated.

HELP_SHEET = "说明"
SUBJECT_SHEET = "评议对象"
GROUP_SHEET = "评议主体"
ALL_SUBJECTS = "全部"
KIND_BY_LABEL = {"干部": SubjectKind.CADRE, "单位": SubjectKind.UNIT, "领导班子": SubjectKind.TEAM}


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    header: str
    width: int
    #: Formatted as text in the template, so Excel keeps "007" and "1,2" as typed.
    as_text: bool = False


SUBJECT_COLUMNS = (
    ColumnSpec("编号", 14, as_text=True),
    ColumnSpec("姓名或名称", 22),
    ColumnSpec("类别", 12),
    ColumnSpec("所在单位", 26),
    ColumnSpec("单位类别", 16),
    ColumnSpec("职务", 22),
    ColumnSpec("前任编号", 14, as_text=True),
)
GROUP_COLUMNS = (
    ColumnSpec("代码", 14, as_text=True),
    ColumnSpec("名称", 18),
    ColumnSpec("权重", 10),
    ColumnSpec("最少人数", 10),
    ColumnSpec("应参加人数", 12),
    ColumnSpec("评议对象", 40, as_text=True),
)


def _length(model, column: str) -> int:
    """Return a model column's length, so the file's limits follow the schema."""
    return model.__table__.c[column].type.length


SUBJECT_KEY_LENGTH = _length(Subject, "key")
SUBJECT_NAME_LENGTH = _length(Subject, "name")
POSITION_TITLE_LENGTH = _length(Subject, "position_title")
UNIT_NAME_LENGTH = _length(Unit, "name")
UNIT_CATEGORY_LENGTH = _length(Unit, "category")
GROUP_KEY_LENGTH = _length(RespondentGroup, "key")
GROUP_NAME_LENGTH = _length(RespondentGroup, "name")
MAX_DATA_ROWS = 10_000


# ---- plain rows ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubjectRow:
    row: int  # the Excel row number, for messages
    key: str
    name: str
    kind: SubjectKind
    unit_name: str  # "" for none
    unit_category: str
    position_title: str
    predecessor_key: str | None


@dataclass(frozen=True, slots=True)
class GroupRow:
    row: int
    key: str
    name: str
    weight: float
    min_size: int
    expected_count: int
    #: None: the group rates every subject (全部); otherwise the keys it rates.
    subject_keys: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Roster:
    subjects: tuple[SubjectRow, ...]
    groups: tuple[GroupRow, ...]



# ---- the template -------------------------------------------------------------------------


def build_template() -> bytes:
    """Return the empty roster workbook: instructions, and the two data sheets' headers."""
    workbook = Workbook()
    _write_help(workbook.active)
    subject_sheet = _write_header(workbook.create_sheet(SUBJECT_SHEET), SUBJECT_COLUMNS)
    _add_kind_list(subject_sheet)
    _write_header(workbook.create_sheet(GROUP_SHEET), GROUP_COLUMNS)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_header(sheet, columns: tuple[ColumnSpec, ...]):
    for index, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.as_text:
            dimension.number_format = "@"
    sheet.freeze_panes = "A2"
    return sheet


def _add_kind_list(sheet) -> None:
    letter = _letter_of(SUBJECT_COLUMNS, "类别")
    choices = ",".join(KIND_BY_LABEL)
    validation = DataValidation(
        type="list",
        formula1=f'"{choices}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("类别无效"),
        error=_("请从列表中选择：干部、单位 或 领导班子"),
    )
    validation.add(f"{letter}2:{letter}{MAX_DATA_ROWS + 1}")
    sheet.add_data_validation(validation)


def _letter_of(columns: tuple[ColumnSpec, ...], header: str) -> str:
    return get_column_letter(next(i for i, c in enumerate(columns, 1) if c.header == header))


def _help_rows() -> list[tuple[str, ...]]:
    """The 说明 sheet: how to fill each column, with the examples the data sheets leave out."""
    return [
        (_("评议名册导入模板"),),
        (_("在“评议对象”和“评议主体”两个工作表中从第 2 行起逐行填写，第 1 行表头请勿修改。"),),
        (
            _(
                "列的顺序可以调整，多出的列会被忽略；空行会被跳过。名册中任何一处有误时，整个文件都不会导入，页面会列出所有问题的位置。"
            ),
        ),
        (
            _(
                "按编号（代码）更新：问卷中已有的编号会被更新，新编号会被添加，名册中没有的对象和主体保持不变。问卷发布后不能再导入名册。"
            ),
        ),
        (),
        (SUBJECT_SHEET, _("必填"), _("填写说明"), _("示例")),
        (
            "编号",
            _("是"),
            _(
                "唯一编号，如工号；只能使用字母、数字、下划线和连字符，最多 %(n)d 个字符。逐年保持不变，用于与往年结果比较。",
                n=SUBJECT_KEY_LENGTH,
            ),
            "C1001",
        ),
        (
            "姓名或名称",
            _("是"),
            _("干部姓名，或单位、领导班子的名称，最多 %(n)d 个字符", n=SUBJECT_NAME_LENGTH),
            "张伟",
        ),
        ("类别", _("是"), _("从下拉列表中选择：干部、单位 或 领导班子"), "干部"),
        ("所在单位", _("否"), _("单位全称；系统中没有的单位会自动新建"), "市发展和改革委员会"),
        (
            "单位类别",
            _("否"),
            _("如 县市区、市直部门；用于分类排名和权重。单位已有类别时不会被修改"),
            "市直部门",
        ),
        ("职务", _("否"), _("现任职务"), "主任"),
        ("前任编号", _("否"), _("同一岗位前任的编号，可以是往年的编号，用于与前任比较"), "C0907"),
        (),
        (GROUP_SHEET, _("必填"), _("填写说明"), _("示例")),
        (
            "代码",
            _("是"),
            _("唯一代码，只能使用字母、数字、下划线和连字符，最多 %(n)d 个字符", n=GROUP_KEY_LENGTH),
            "superior",
        ),
        ("名称", _("是"), _("评议主体名称，最多 %(n)d 个字符", n=GROUP_NAME_LENGTH), "上级领导"),
        ("权重", _("是"), _("不小于 0 的数字，如 0.4 或 40"), "0.4"),
        ("最少人数", _("否"), _("少于此人数时不单独报告该主体的结果，至少为 1；不填为 3"), "5"),
        ("应参加人数", _("否"), _("用于计算参评率；不填为 0"), "12"),
        ("评议对象", _("是"), _("填“全部”，或列出评议对象的编号，用 、 或 , 或 ， 分隔"), "C1001、C1002"),
    ]


def _write_help(sheet) -> None:
    sheet.title = HELP_SHEET
    for row in _help_rows():
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=14)
    for row in sheet.iter_rows():
        if row[0].value in (SUBJECT_SHEET, GROUP_SHEET):
            for cell in row:
                cell.font = Font(bold=True)
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (16, 8, 70, 22), strict=True):
        sheet.column_dimensions[letter].width = width
