"""`flask targets scores YEAR --format json|xlsx`: the worked example read back."""

import json
from io import BytesIO

import pytest
from openpyxl import load_workbook

from survey_app.extensions import db
from tests.app import target_scores_helpers as h


@pytest.fixture
def scored(app):
    with app.app_context():
        h.worked_example()
        db.session.commit()


def test_json_goes_to_standard_output(runner, scored):
    result = runner.invoke(args=["targets", "scores", "2026"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    (system,) = document["systems"]
    assert [(u["unit"], u["rank"], u["total"], u["final"]) for u in system["units"]] == [
        ("乙局", 1, 95, True), ("甲局", 2, 89.4, True), ("丙局", 3, 58, False)]
    first = system["units"][1]["leaves"][0]
    assert first["wording"] == "完成率 96%，每低1%扣0.5分：30 − 2 = 28" and first["source"] == "verified"
    assert system["units"][2]["subtotals"] == {"业务实绩": 50, "自身建设": 4, "机制创新": 4}


def test_xlsx_has_the_ranking_and_every_leaf(runner, scored, tmp_path):
    out = tmp_path / "s.xlsx"
    result = runner.invoke(args=["targets", "scores", "2026", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(BytesIO(out.read_bytes()))
    ranking = [row for row in book["排名"].iter_rows(values_only=True)]
    assert ranking[0][:4] == ("名次", "单位", "状态", "总分（100）")
    assert [row[:4] for row in ranking[1:]] == [(1, "乙局", "最终", 95), (2, "甲局", "最终", 89.4), (3, "丙局", "预估", 58)]
    detail = list(book["得分明细"].iter_rows(values_only=True))
    assert len(detail) == 1 + 3 * 6
    row = next(row for row in detail if row[:2] == ("甲局", "1.1"))
    assert row[2:] == ("招商引资到位资金", 30, 100, 1, 96, "核验值", 28, "完成率 96%，每低1%扣0.5分：30 − 2 = 28")


def test_a_formula_like_unit_name_is_written_as_text(runner, app, tmp_path):
    with app.app_context():
        system = h.demo_system()
        h.sheet(system, "=1+1", h.A)
        db.session.commit()
    out = tmp_path / "s.xlsx"
    assert runner.invoke(args=["targets", "scores", "2026", "--format", "xlsx", "-o", str(out)]).exit_code == 0
    book = load_workbook(BytesIO(out.read_bytes()))
    assert book["排名"]["B2"].value == "'=1+1" and book["排名"]["B2"].data_type == "s"


def test_refusals_are_chinese_and_exit_1(runner, scored):
    result = runner.invoke(args=["targets", "scores", "2031"])
    assert result.exit_code == 1 and "2031 年度没有考核细则" in result.output
    result = runner.invoke(args=["targets", "scores", "2026", "--format", "xlsx"])
    assert result.exit_code == 1 and "请用 -o 指定输出文件" in result.output
