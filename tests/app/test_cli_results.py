"""`flask results SURVEY_ID --format json|xlsx|pdf [-o FILE]`: the full report, as the exports."""

import io
import json

from openpyxl import load_workbook

from survey_app.extensions import db
from survey_app.models import Survey
from survey_app.services.results import exports, reports
from tests.app.test_reports import rated_survey  # noqa: F401 — the fixture is used by name


def test_json_goes_to_stdout_and_equals_the_report(app, runner, rated_survey):  # noqa: F811
    result = runner.invoke(args=["results", str(rated_survey)])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    with app.app_context():
        report = reports.survey_report(db.session.get(Survey, rated_survey))
    assert body.pop("answers")["subject_comments"] == []  # as in the API (tests/app/test_answers.py)
    assert body == json.loads(json.dumps(exports.results_json(report)))
    assert "张伟" in result.stdout  # UTF-8, not \\u escapes
    assert next(s for s in body["subjects"] if s["key"] == "C2")["groups"][1] == {
        "label": "服务对象", "insufficient": True}


def test_json_to_a_file(runner, rated_survey, tmp_path):  # noqa: F811
    path = tmp_path / "results.json"
    result = runner.invoke(args=["results", str(rated_survey), "--format", "json", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text(encoding="utf-8"))["survey"]["ballots"] == 6


def test_xlsx_needs_an_output_file(runner, rated_survey):  # noqa: F811
    result = runner.invoke(args=["results", str(rated_survey), "--format", "xlsx"])
    assert result.exit_code == 1 and "-o" in result.output


def test_xlsx_to_a_file(runner, rated_survey, tmp_path):  # noqa: F811
    path = tmp_path / "results.xlsx"
    result = runner.invoke(args=["results", str(rated_survey), "--format", "xlsx", "-o", str(path)])
    assert result.exit_code == 0, result.output
    book = load_workbook(io.BytesIO(path.read_bytes()))
    assert book.sheetnames == ["排名", "评议主体", "各维度", "等次分布", "单位", "说明", "选择题统计", "文字意见"]
    assert [row[2] for row in book["排名"].iter_rows(min_row=2, values_only=True)] == ["张伟", "李娜", "王强"]


def test_pdf_to_a_file(runner, rated_survey, tmp_path):  # noqa: F811
    path = tmp_path / "results.pdf"
    result = runner.invoke(args=["results", str(rated_survey), "--format", "pdf", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_bytes().startswith(b"%PDF-")
    assert runner.invoke(args=["results", str(rated_survey), "--format", "pdf"]).exit_code == 1


def test_unknown_survey_and_format(runner):
    missing = runner.invoke(args=["results", "999999"])
    assert missing.exit_code == 1 and "999999" in missing.output
    assert runner.invoke(args=["results", "1", "--format", "docx"]).exit_code == 2
