"""The Excel form of an indicator system, reading like a 考核细则 table: a sheet 基本信息
(年度, 单位类别, 标题, 总分值) and a sheet 考核细则 with one row per indicator, its name in
the column of its level (一级指标 / 二级指标 / 三级指标 …), then 分值 / 计量单位 / 目标方向 /
评分标准 / 计分方法 / 参数 / 数据采集. A 分值 written as a percentage ("50%") is a weight.

Reading checks every cell and names each wrong one by sheet, row and column; it then runs
the schema and tree checks of the JSON form, naming rows. Nothing is stored when anything
is wrong (the caller stores the returned plain form).
"""

import json
import re
from io import BytesIO
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from analytics.targets import format_number
from survey_app.errors import ValidationFailed
from survey_app.models.target import IndicatorSystem
from survey_app.services.platform import sheets
from survey_app.services.targets import json_format, methods, systems
from survey_app.services.targets.checking import PlacedNode, tree_problems

TREE_SHEET = "考核细则"
INFO_SHEET = "基本信息"
GUIDE_SHEET = "填写说明"
LEVEL_NAMES = "一二三四五六七八"
FIELDS = ("分值", "计量单位", "目标方向", "评分标准", "计分方法", "参数", "数据采集")
INFO_ROWS = ("年度", "单位类别", "标题", "总分值")
DIRECTIONS = {"": "higher", "越高越好": "higher", "正向": "higher", "higher": "higher",
              "越低越好": "lower", "逆向": "lower", "lower": "lower"}
DIRECTION_WORDS = {"higher": "越高越好", "lower": "越低越好"}
_WEIGHT = re.compile(r"^(\d+(?:\.\d+)?)\s*[%％]$")


def level_headers(depth: int) -> list[str]:
    return [f"{LEVEL_NAMES[i]}级指标" for i in range(max(depth, 3))]


# ---- writing ---------------------------------------------------------------------------------


def _points_cell(row: systems.TreeRow) -> Any:
    node = row.node
    if node.points is not None:
        return systems.plain_number(node.points)
    return f"{format_number((node.weight or 0) * 100, 6)}%"


def export_workbook(system: IndicatorSystem) -> bytes:
    """The system as an .xlsx workbook that import reads back."""
    rows = systems.tree_rows(system)
    levels = level_headers(max((row.depth for row in rows), default=1))
    workbook = Workbook()
    _info_sheet(workbook.active, [system.year, system.category, system.title, systems.plain_number(system.points)])
    body = []
    for row in rows:
        node = row.node
        names = ["" for _level in levels]
        names[row.depth - 1] = node.name
        params = json.dumps(node.parameters, ensure_ascii=False) if node.parameters else ""
        body.append([*names, _points_cell(row), node.unit_of_measure, DIRECTION_WORDS[node.direction.value],
                     node.criteria, str(methods.METHOD_NAMES[node.method]) if node.method else "", params,
                     node.data_note])
    _tree_sheet(workbook, levels, body)
    _guide_sheet(workbook)
    return _bytes(workbook)


def template_workbook() -> bytes:
    """An empty 考核细则 workbook with the columns and a sheet explaining them."""
    workbook = Workbook()
    _info_sheet(workbook.active, ["", "", "", ""])
    _tree_sheet(workbook, level_headers(3), [])
    _guide_sheet(workbook)
    return _bytes(workbook)


def _info_sheet(sheet, values: list[Any]) -> None:
    sheet.title = INFO_SHEET
    sheets.write_sheet(sheet, ["项目", "内容"], zip(INFO_ROWS, values, strict=True), [14, 50])


def _tree_sheet(workbook: Workbook, levels: list[str], body: list[list[Any]]) -> None:
    sheet = workbook.create_sheet(TREE_SHEET)
    widths = [18] * len(levels) + [8, 10, 10, 40, 16, 30, 30]
    sheets.write_sheet(sheet, [*levels, *FIELDS], body, widths)


def _guide_sheet(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(GUIDE_SHEET)
    lines = [
        [_("每行一个指标：名称写在它所在级别的列（一级指标、二级指标、三级指标，可加四级指标等列）。")],
        [_("分值填数字；填百分数（如 50%）表示占上级分值的权重。同一上级的下级指标要么都填分值，要么都填权重。")],
        [_("目标方向：越高越好（默认）或越低越好。")],
        [_("计分方法只填在末级指标上，参数用 JSON 写，例如：")],
    ]
    examples = {
        "completion_ratio": '{"cap": 1, "floor": 0}',
        "linear_deduction": '{"step": 1, "per_step": 0.2, "basis": "percent"}',
        "tiers": '{"tiers": [{"threshold": 100, "points": 10}, {"threshold": 90, "points": 8}], "basis": "percent"}',
        "rank_points": '{"points_by_place": [6, 5, 4]}',
        "rank_proportional": '{"first_points": 6, "places": 5}',
        "count_deduction": '{"per_occurrence": 1, "cap": 3}',
        "level_bonus": '{"levels": [{"name": "国家", "points": 3}, {"name": "省", "points": 2}, {"name": "市", "points": 1}]}',
        "judged": "{}",
    }
    lines += [[str(methods.METHOD_NAMES[key]), text] for key, text in examples.items()]
    sheets.write_sheet(sheet, [_("说明"), _("参数示例")], lines, [60, 90])


def _bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- reading ---------------------------------------------------------------------------------


class _Problems(list):
    def cell(self, sheet: str, row: int, column: int, header: str, problem: str) -> None:
        self.append(_("工作表“%(sheet)s”第 %(row)d 行 %(column)s 列（%(header)s）：%(problem)s", sheet=sheet,
                      row=row, column=get_column_letter(column), header=header, problem=problem))

    def row(self, sheet: str, row: int, problem: str) -> None:
        self.append(_("工作表“%(sheet)s”第 %(row)d 行：%(problem)s", sheet=sheet, row=row, problem=problem))


def read_workbook(data: bytes) -> dict[str, Any]:
    """Read an uploaded 考核细则 workbook into the JSON form, checked; raise
    ValidationFailed listing every wrong cell (nothing is read partly)."""
    refusal = _("考核细则有误，未导入")
    workbook = sheets.open_workbook(data, refusal)
    try:
        by_title = {sheet.title: sheet for sheet in workbook.worksheets}
        missing = [name for name in (INFO_SHEET, TREE_SHEET) if name not in by_title]
        if missing:
            raise ValidationFailed(refusal, [_("工作簿缺少工作表“%(sheet)s”（请使用下载的模板）", sheet=name)
                                             for name in missing])
        problems = _Problems()
        info = _read_info(by_title[INFO_SHEET], problems)
        indicators, rows_of = _read_tree(by_title[TREE_SHEET], problems)
    finally:
        workbook.close()
    if problems:
        raise ValidationFailed(refusal, list(problems))
    if info.get("points") is None:
        info["points"] = sum(float(item.get("points") or 0) for item in indicators)
    document = {"format_version": 1, **info, "indicators": indicators}
    problems.extend(_document_problems(document, rows_of))
    if problems:
        raise ValidationFailed(refusal, list(dict.fromkeys(problems)))
    return document


def _read_info(sheet, problems: _Problems) -> dict[str, Any]:
    cells = {}
    for number, row in enumerate(sheet.iter_rows(min_row=2, max_col=2, values_only=True), start=2):
        label = sheets.cell_key(row[0] if row else None)
        if label in INFO_ROWS:
            cells[label] = (number, row[1] if len(row) > 1 else None)
    info: dict[str, Any] = {}
    for label, key in (("单位类别", "category"), ("标题", "title")):
        number, value = cells.get(label, (0, None))
        info[key] = sheets.cell_text(value)
        if not info[key]:
            _info_problem(problems, sheet.title, label, number, _("必须填写"))
    number, value = cells.get("年度", (0, None))
    year = sheets.cell_number(value)
    if year is None or not year.is_integer() or not 2000 <= year <= 2100:
        _info_problem(problems, sheet.title, "年度", number, _("应为 2000–2100 之间的年份"))
    else:
        info["year"] = int(year)
    number, value = cells.get("总分值", (0, None))
    total = sheets.cell_number(value)
    if sheets.cell_text(value) and (total is None or total <= 0):
        _info_problem(problems, sheet.title, "总分值", number, _("应为大于 0 的数字（不填则为一级指标分值之和）"))
    info["points"] = total
    return info


def _info_problem(problems: _Problems, sheet: str, label: str, number: int, problem: str) -> None:
    if number:
        problems.cell(sheet, number, 2, label, problem)
    else:
        problems.append(_("工作表“%(sheet)s”：缺少“%(label)s”一行", sheet=sheet, label=label))


def _header(sheet, problems: _Problems) -> dict[str, int]:
    first = next(iter(sheet.iter_rows(min_row=1, max_row=1, values_only=True)), ())
    columns: dict[str, int] = {}
    for index, value in enumerate(first, start=1):
        name = sheets.cell_key(value)
        if not name:
            continue
        if name in columns:
            problems.append(sheets.repeated_header_message(sheet.title, 1, name, get_column_letter(columns[name]),
                                                           get_column_letter(index)))
        columns.setdefault(name, index)
    required = [level_headers(1)[0], "分值", "计分方法"]
    for name in required:
        if name not in columns:
            problems.row(sheet.title, 1, _("缺少“%(name)s”列（请使用下载的模板）", name=name))
    return columns


def _read_tree(sheet, problems: _Problems) -> tuple[list[dict[str, Any]], dict[tuple[Any, ...], int]]:
    before = len(problems)
    columns = _header(sheet, problems)
    if len(problems) > before:
        return [], {}
    levels = [name for name in level_headers(len(LEVEL_NAMES)) if name in columns]
    indicators: list[dict[str, Any]] = []
    stack: list[tuple[dict[str, Any], tuple[Any, ...]]] = []  # the open node at each depth
    rows_of: dict[tuple[Any, ...], int] = {}
    for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        cell = _Cells(row, columns, sheet.title, number, problems)
        if cell.blank():
            continue
        filled = [depth for depth, name in enumerate(levels, start=1) if cell.text(name)]
        if len(filled) != 1:
            problems.row(sheet.title, number, _("每行只在一个级别列中填写指标名称") if filled
                         else _("没有填写指标名称"))
            continue
        depth = filled[0]
        if depth > len(stack) + 1:
            problems.row(sheet.title, number, _("%(level)s前面没有它的上级指标", level=levels[depth - 1]))
            continue
        del stack[depth - 1:]
        item = _read_node(cell, levels[depth - 1])
        siblings = stack[-1][0].setdefault("children", []) if stack else indicators
        path = (*stack[-1][1], "children", len(siblings)) if stack else ("indicators", len(siblings))
        siblings.append(item)
        stack.append((item, path))
        rows_of[path] = number
    if not indicators and len(problems) == before:
        problems.row(sheet.title, 2, _("没有任何指标"))
    return indicators, rows_of


class _Cells:
    """One row's cells by header, reporting a wrong one by sheet, row and column."""

    def __init__(self, row, columns: dict[str, int], sheet: str, number: int, problems: _Problems):
        self.row, self.columns, self.sheet, self.number, self.problems = row, columns, sheet, number, problems

    def raw(self, header: str) -> Any:
        index = self.columns.get(header)
        return self.row[index - 1] if index and index <= len(self.row) else None

    def text(self, header: str) -> str:
        return sheets.cell_text(self.raw(header))

    def blank(self) -> bool:
        return not any(sheets.cell_text(value) for value in self.row)

    def wrong(self, header: str, problem: str) -> None:
        self.problems.cell(self.sheet, self.number, self.columns[header], header, problem)


def _read_node(cell: _Cells, level: str) -> dict[str, Any]:
    item: dict[str, Any] = {"name": cell.text(level)}
    _read_points(cell, item)
    for header, key, limit in (("计量单位", "unit", 30), ("评分标准", "criteria", 5000), ("数据采集", "data_note", 5000)):
        if header in cell.columns:
            item[key] = cell.text(header)
            if len(item[key]) > limit:
                cell.wrong(header, _("不能超过 %(max)d 个字符", max=limit))
    direction = cell.text("目标方向") if "目标方向" in cell.columns else ""
    if direction not in DIRECTIONS:
        cell.wrong("目标方向", _("应为“越高越好”或“越低越好”"))
    item["direction"] = DIRECTIONS.get(direction, "higher")
    _read_method(cell, item)
    return item


def _read_points(cell: _Cells, item: dict[str, Any]) -> None:
    text, number = cell.text("分值"), sheets.cell_number(cell.raw("分值"))
    weight = _WEIGHT.match(sheets.cell_key(cell.raw("分值")))
    if number is not None and number >= 0:
        item["points"] = number
    elif weight:
        item["weight"] = float(weight.group(1)) / 100
    else:
        cell.wrong("分值", _("必须填写") if not text else _("应为不小于 0 的数字，或百分数表示的权重（如 50%）"))


def _read_method(cell: _Cells, item: dict[str, Any]) -> None:
    name = sheets.cell_key(cell.raw("计分方法"))
    if not name:
        if "参数" in cell.columns and cell.text("参数"):
            cell.wrong("参数", _("填写了参数却没有计分方法"))
        return
    keys = {str(label): key for key, label in methods.METHOD_NAMES.items()} | {key: key for key in methods.METHOD_KEYS}
    if name not in keys:
        cell.wrong("计分方法", _("不认识的计分方法，应为 %(names)s 之一",
                             names="、".join(str(label) for label in methods.METHOD_NAMES.values())))
        return
    item["method"] = keys[name]
    text = cell.text("参数") if "参数" in cell.columns else ""
    try:
        params = json.loads(text) if text else {}
    except ValueError:
        params = None
    if not isinstance(params, dict):
        cell.wrong("参数", _("应为 JSON 对象，例如 {\"step\": 1, \"per_step\": 0.2}（见“填写说明”工作表）"))
        return
    item["parameters"] = params


def _document_problems(document: dict[str, Any], rows_of: dict[tuple[Any, ...], int]) -> list[str]:
    """The JSON form's schema and tree checks, worded by row."""

    def where_path(path: tuple[Any, ...]) -> str:
        for end in range(len(path), 0, -1):
            if path[:end] in rows_of:
                rest = path[end:]
                column = _("（参数）") if rest[:1] == ("parameters",) else ""
                return _("工作表“%(sheet)s”第 %(row)d 行%(column)s", sheet=TREE_SHEET, row=rows_of[path[:end]],
                         column=column)
        return _("工作表“%(sheet)s”", sheet=INFO_SHEET)

    problems = [_("%(where)s：%(problem)s", where=where_path(tuple(error.absolute_path)),
                  problem=json_format.schema_reason(error))
                for error in json_format.schema_errors(document)]
    if problems:
        return problems

    def where(node: PlacedNode | None) -> str:
        if node is None:
            return _("工作表“%(sheet)s”（总分值）", sheet=INFO_SHEET)
        return _("%(where)s（指标 %(code)s“%(name)s”）", where=where_path(node.path), code=node.code,
                 name=node.data.get("name", ""))

    return tree_problems(float(document["points"]), document["indicators"], where)


def import_workbook(data: bytes, actor) -> IndicatorSystem:
    """Store an uploaded 考核细则 workbook as a new draft, or raise ValidationFailed listing
    every wrong cell (nothing stored)."""
    return systems.store_system(read_workbook(data), actor, "xlsx")
