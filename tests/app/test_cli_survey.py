"""`flask survey list | export | import`: thin commands over the definitions service."""

import json
import re

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEntry, Role, Subject, Survey, SurveyStatus, Unit
from survey_app.services.design import definitions
from survey_app.services.platform import users


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _export(app, survey_id: int) -> dict:
    with app.app_context():
        return definitions.export_definition(db.session.get(Survey, survey_id))


def _imported_id(output: str) -> int:
    match = re.search(r"问卷编号 (\d+)", output)
    assert match, output
    return int(match.group(1))


def test_list_without_surveys(runner):
    result = runner.invoke(args=["survey", "list"])
    assert result.exit_code == 0
    assert result.output.strip() == "还没有任何问卷。"


def test_list_shows_id_year_kind_status_count_and_title(runner, make_survey):
    draft_id = make_survey()
    published_id = make_survey(publish=True, year=2025, title="2025年度民主测评")
    result = runner.invoke(args=["survey", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "编号\t年度\t类型\t状态\t对象数\t标题"
    assert lines[1:] == [
        f"{draft_id}\t2026\t民主测评\t草稿\t3\t2026年度民主测评",
        f"{published_id}\t2025\t民主测评\t已发布\t3\t2025年度民主测评",
    ]


def test_export_prints_pretty_utf8_json(app, runner, make_survey):
    survey_id = make_survey()
    result = runner.invoke(args=["survey", "export", str(survey_id)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == _export(app, survey_id)
    assert '"name": "张伟"' in result.stdout  # not escaped as \u5f20\u4f1f
    assert result.stdout.startswith('{\n  "format_version": 1,')


def test_export_writes_a_file(app, runner, make_survey, tmp_path):
    survey_id = make_survey()
    target = tmp_path / "定义.json"
    result = runner.invoke(args=["survey", "export", str(survey_id), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert "王强" in text
    assert json.loads(text) == _export(app, survey_id)


def test_export_of_an_unknown_survey_fails(runner):
    result = runner.invoke(args=["survey", "export", "999"])
    assert result.exit_code == 1
    assert "没有编号为 999 的问卷" in result.stderr


def test_import_creates_a_draft_equal_to_the_file(app, runner, make_survey, tmp_path):
    source_id = make_survey(publish=True)
    path = tmp_path / "survey.json"
    path.write_text(json.dumps(_export(app, source_id), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["survey", "import", str(path)])
    assert result.exit_code == 0, result.output
    new_id = _imported_id(result.stdout)
    assert new_id != source_id
    assert _export(app, new_id) == _export(app, source_id)
    with app.app_context():
        assert db.session.get(Survey, new_id).status is SurveyStatus.DRAFT
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "survey.import"))
        assert (entry.username, entry.target_id) == ("system", new_id)


def test_import_reads_stdin_and_records_the_given_user(app, runner, make_survey):
    source_id = make_survey()
    with app.app_context():
        users.create_user("zhangsan", "a-long-password", Role.ORGANIZER)
        db.session.commit()
    text = json.dumps(_export(app, source_id), ensure_ascii=False)
    result = runner.invoke(args=["survey", "import", "--user", "zhangsan", "-"], input=text)
    assert result.exit_code == 0, result.output
    new_id = _imported_id(result.stdout)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.target_id == new_id))
        assert entry.username == "zhangsan"


def test_import_with_an_unknown_user_changes_nothing(app, runner, make_survey, tmp_path):
    path = tmp_path / "survey.json"
    path.write_text(json.dumps(_export(app, make_survey())), encoding="utf-8")
    result = runner.invoke(args=["survey", "import", "--user", "nobody", str(path)])
    assert result.exit_code == 1
    assert "没有用户名为“nobody”的账号" in result.stderr
    with app.app_context():
        assert _count(Survey) == 1


def test_import_of_a_bad_file_prints_every_problem_and_changes_nothing(app, runner, make_survey, tmp_path):
    definition = _export(app, make_survey())
    definition["subjects"][1]["key"] = "C1"
    definition["subjects"].append({"key": "C9", "name": "新干部", "unit": "市新单位"})
    definition["groups"][1]["subjects"] = ["C1", "X7"]
    definition["year"] = "2027"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    with app.app_context():
        before = (_count(Survey), _count(Subject), _count(Unit), _count(AuditEntry))
    result = runner.invoke(args=["survey", "import", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "问卷定义有误，共 3 处，未导入任何内容：",
        "year：应为整数，实际是文本",
        "subjects[1].key：编号“C1”重复",
        "groups[1].subjects[1]：没有编号为“X7”的评议对象",
    ]
    with app.app_context():
        assert (_count(Survey), _count(Subject), _count(Unit), _count(AuditEntry)) == before


def test_import_of_a_file_that_is_not_json_fails(app, runner, tmp_path):
    path = tmp_path / "roster.json"
    path.write_bytes("编号,姓名\nC1,张伟\n".encode())
    result = runner.invoke(args=["survey", "import", str(path)])
    assert result.exit_code == 1
    assert "不是有效的 JSON：第 1 行第 1 列附近格式有误" in result.stderr
    with app.app_context():
        assert _count(Survey) == 0


def test_import_of_a_missing_file_fails_with_usage_error(runner, tmp_path):
    result = runner.invoke(args=["survey", "import", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
