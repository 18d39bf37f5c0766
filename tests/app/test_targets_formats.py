"""Indicator systems: JSON and Excel round trips, and every kind of bad input refused with
Chinese messages naming where, nothing stored (docs/targets.md, "Stored systems")."""

import json
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from survey_app.errors import InvalidTransition, StructureLocked, ValidationFailed
from survey_app.extensions import db
from survey_app.models.target import SystemStatus
from survey_app.services.targets import json_format, systems, workbook
from tests.app.targets_helpers import counts, demo_data


def _import(app, data):
    with app.app_context():
        system = systems.import_system(data, None)
        db.session.commit()
        return system.id


def _problems(app, data) -> list[str]:
    with app.app_context():
        with pytest.raises(ValidationFailed) as caught:
            systems.import_system(data, None)
        db.session.rollback()
        assert counts() == (0, 0)
        return caught.value.errors


def test_json_round_trip_keeps_every_field(app):
    system_id = _import(app, demo_data())
    with app.app_context():
        exported = systems.export_system(db.session.get(systems.IndicatorSystem, system_id))
        again = systems.import_system(json.dumps(exported, ensure_ascii=False).encode(), None)
        db.session.flush()
        assert systems.export_system(again) == exported
    assert exported["points"] == 100
    first = exported["indicators"][0]
    assert (first["code"], first["name"], first["points"]) == ("1", "业务实绩", 60)
    leaf = first["children"][0]
    assert leaf["code"] == "1.1" and leaf["weight"] == 0.5 and leaf["unit"] == "亿元"
    assert leaf["method"] == "linear_deduction" and leaf["parameters"]["per_step"] == 0.5
    assert exported["indicators"][1]["children"][1]["direction"] == "lower"


def test_tree_rows_give_effective_points_and_methods_in_words(app):
    system_id = _import(app, demo_data())
    with app.app_context():
        rows = systems.tree_rows(db.session.get(systems.IndicatorSystem, system_id))
        assert [(r.node.code, r.depth, r.points) for r in rows][:3] == [("1", 1, 60), ("1.1", 2, 30), ("1.2", 2, 30)]
        assert rows[1].method_text == "按差距扣分：每差 1% 扣 0.5 分，扣至 0 分为止"
        assert sum(r.points for r in rows if r.is_leaf) == 100
        summary = systems.list_systems()[0]
        assert (summary.leaves, summary.leaf_points) == (6, 100)


def test_xlsx_round_trip_reads_like_the_table(app):
    system_id = _import(app, demo_data())
    with app.app_context():
        system = db.session.get(systems.IndicatorSystem, system_id)
        data = workbook.export_workbook(system)
        sheet = load_workbook(BytesIO(data))["考核细则"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("一级指标", "二级指标", "三级指标", "分值", "计量单位", "目标方向", "评分标准", "计分方法",
                           "参数", "数据采集")
        assert rows[1][:4] == ("业务实绩", None, None, 60)
        assert rows[2][1] == "招商引资到位资金" and rows[2][3] == "50%" and rows[2][7] == "按差距扣分"
        assert json.loads(rows[2][8]) == {"step": 1, "per_step": 0.5, "basis": "percent"}
        again = workbook.import_workbook(data, None)
        db.session.flush()
        assert systems.export_system(again) == systems.export_system(system)


def test_template_has_the_columns_and_imports_once_filled(app):
    with app.app_context():
        book = load_workbook(BytesIO(workbook.template_workbook()))
        assert book.sheetnames == ["基本信息", "考核细则", "填写说明"]
        sheet = book["考核细则"]
        assert [c.value for c in sheet[1]][:4] == ["一级指标", "二级指标", "三级指标", "分值"]
        info = book["基本信息"]
        for row, value in zip(range(2, 6), (2027, "县（市、区）", "2027年度县区考核细则", None), strict=True):
            info.cell(row, 2, value)
        sheet.append(["经济发展", None, None, 70])
        sheet.append([None, "地区生产总值增速", None, 70, "%", "越高越好", "完成目标值得满分", "完成率计分", ""])
        sheet.append(["群众满意", None, None, 30, "分", None, None, "核验评定"])
        buffer = BytesIO()
        book.save(buffer)
        system = workbook.import_workbook(buffer.getvalue(), None)
        db.session.flush()
        assert (system.year, system.category, system.points) == (2027, "县（市、区）", 100)
        assert [n.code for n in sorted(system.nodes, key=lambda n: n.code)] == ["1", "1.1", "2"]


def test_points_that_do_not_add_up_and_parameters_out_of_range_are_all_listed(app):
    data = demo_data()
    data["indicators"][0]["points"] = 50
    data["indicators"][2]["children"][0]["parameters"]["points_by_place"] = [7, 5]
    data["indicators"][0]["children"][1]["parameters"]["cap"] = 1.5
    data["indicators"][1]["children"] = [{"name": "党建工作", "points": 20, "method": "judged"},
                                         {"name": "作风纪律", "points": 5, "method": "judged"}]
    problems = _problems(app, data)
    assert "考核细则（总分值）：下级指标的分值之和为 90，与本级分值 100 不一致" in problems
    assert ("indicators[1]（指标 2“自身建设”）：下级指标的分值之和为 25，与本级分值 30 不一致") in problems
    assert ("indicators[2].children[0]（指标 3.1“改革创新成效”）：计分方法的参数有误：名次分值 7 超过了本指标的分值 6"
            in problems)
    assert any("1.2" in p and "上限应大于 0 且不超过 1（现为 1.5）" in p for p in problems)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d.pop("title"), "考核细则：缺少必填项 title"),
    (lambda d: d["indicators"][0].update(colour="red"), "indicators[0]：不认识的字段 colour（请检查拼写）"),
    (lambda d: d["indicators"][0]["children"][0].update(method="magic"), "不是可用的取值"),
    (lambda d: d["indicators"][0]["children"][0]["parameters"].pop("step"), "缺少必填项 step"),
    (lambda d: d["indicators"][0]["children"][0].pop("method"), "末级指标必须有计分方法"),
    (lambda d: d["indicators"][0].update(method="judged"), "有下级指标的指标不设计分方法"),
    (lambda d: d["indicators"][0]["children"][0].update(points=30), "分值和权重必须填写其中一项"),
    (lambda d: d["indicators"][0]["children"][0].update(weight=0.4), "权重之和为 0.9，应为 1"),
    (lambda d: d.update(year=1999), "year：不能小于 2000"),
])
def test_each_bad_json_is_refused_in_chinese(app, change, expected):
    data = demo_data()
    change(data)
    problems = _problems(app, data)
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(("raw", "expected"), [
    (b"\xff\xfe", "不是 UTF-8"), (b'{"year": ', "不是有效的 JSON"), (b'{"a": 1, "a": 2}', "出现了不止一次"),
    (b"[" * 100 + b"]" * 100, "嵌套层数过多"), (b"42", "应为对象"),
])
def test_broken_json_files_are_refused_in_chinese(app, raw, expected):
    problems = _problems(app, raw)
    assert any(expected in problem for problem in problems), problems


def test_nan_in_json_is_refused(app):
    text = json.dumps(demo_data()).replace('"points": 100', '"points": NaN', 1)
    assert any("NaN" in p for p in _problems(app, text))


def _sheet_bytes(rows, info=(2026, "市直单位", "测试细则", 10)) -> bytes:
    book = Workbook()
    book.active.title = "基本信息"
    book.active.append(["项目", "内容"])
    for label, value in zip(("年度", "单位类别", "标题", "总分值"), info, strict=True):
        book.active.append([label, value])
    sheet = book.create_sheet("考核细则")
    sheet.append(["一级指标", "二级指标", "三级指标", "分值", "计量单位", "目标方向", "评分标准", "计分方法", "参数", "数据采集"])
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_problems(app, data: bytes) -> list[str]:
    with app.app_context():
        with pytest.raises(ValidationFailed) as caught:
            workbook.import_workbook(data, None)
        db.session.rollback()
        assert counts() == (0, 0)
        return caught.value.errors


def test_each_wrong_cell_is_named_by_sheet_row_and_column(app):
    rows = [["一", None, None, 10],
            [None, "甲", None, "十分", None, "往上", None, "完成率计分"],
            [None, "乙", None, 5, None, None, None, "魔法"],
            [None, "丙", None, 5, None, None, None, "按差距扣分", "{step: 1}"],
            [None, None, "丁", "50%", None, None, None, "核验评定"],
            ["戊", "己", None, 1]]
    problems = _xlsx_problems(app, _sheet_bytes(rows, info=(1999, "", "测试", 10)))
    assert "工作表“基本信息”第 2 行 B 列（年度）：应为 2000–2100 之间的年份" in problems
    assert "工作表“基本信息”第 3 行 B 列（单位类别）：必须填写" in problems
    assert any(p.startswith("工作表“考核细则”第 3 行 D 列（分值）：应为不小于 0 的数字") for p in problems)
    assert "工作表“考核细则”第 3 行 F 列（目标方向）：应为“越高越好”或“越低越好”" in problems
    assert any(p.startswith("工作表“考核细则”第 4 行 H 列（计分方法）：不认识的计分方法") for p in problems)
    assert any(p.startswith("工作表“考核细则”第 5 行 I 列（参数）：应为 JSON 对象") for p in problems)
    assert "工作表“考核细则”第 7 行：每行只在一个级别列中填写指标名称" in problems


def test_xlsx_tree_errors_name_the_row(app):
    rows = [["一", None, None, 10], [None, "甲", None, 6, None, None, None, "按名次赋分", '{"points_by_place": [8]}'],
            [None, "乙", None, 3, None, None, None, "核验评定"]]
    problems = _xlsx_problems(app, _sheet_bytes(rows))
    assert problems == ["工作表“考核细则”第 2 行（指标 1“一”）：下级指标的分值之和为 9，与本级分值 10 不一致",
                        "工作表“考核细则”第 3 行（指标 1.1“甲”）：计分方法的参数有误：名次分值 8 超过了本指标的分值 6"]


def test_xlsx_schema_errors_name_the_row_and_the_parameters(app):
    rows = [["一", None, None, 10], [None, "丙", None, 10, None, None, None, "按差距扣分", '{"per_step": 1}']]
    problems = _xlsx_problems(app, _sheet_bytes(rows))
    assert problems == ["工作表“考核细则”第 3 行（参数）：缺少必填项 step"]


def test_a_file_that_is_no_workbook_or_lacks_a_sheet_is_refused(app):
    assert any("不是有效的 Excel" in p for p in _xlsx_problems(app, b"not a zip"))
    book = Workbook()
    buffer = BytesIO()
    book.save(buffer)
    assert any("缺少工作表“考核细则”" in p for p in _xlsx_problems(app, buffer.getvalue()))


def test_published_systems_are_locked(app):
    system_id = _import(app, demo_data())
    with app.app_context():
        system = db.session.get(systems.IndicatorSystem, system_id)
        systems.publish_system(system, None)
        db.session.commit()
        assert system.status is SystemStatus.PUBLISHED and system.published_at is not None
        with pytest.raises(StructureLocked):
            systems.delete_system(system, None)
        with pytest.raises(InvalidTransition):
            systems.publish_system(system, None)
        second = systems.import_system(demo_data(), None)
        with pytest.raises(InvalidTransition, match="已有发布的考核细则"):
            systems.publish_system(second, None)
        db.session.rollback()
        assert counts() == (1, 9)


def test_a_draft_is_deleted_with_its_nodes(app):
    system_id = _import(app, demo_data())
    with app.app_context():
        systems.delete_system(db.session.get(systems.IndicatorSystem, system_id), None)
        db.session.commit()
        assert counts() == (0, 0)


def test_the_schema_is_the_documented_format(app):
    schema = json_format.system_schema()
    assert schema["required"] == ["format_version", "year", "category", "title", "points", "indicators"]
    assert json_format.checked_system(demo_data())[1] == []
