"""Figures named as the scale names them (#13.3, #13.4, #13.5): grade shares by
`is_unknown`, top / pass / negative options chosen per scale, null grades with no
reportable group, ranking by a chosen group, the per-dimension table and sheet, and the
builder's scale selector."""

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import Role, ScaleOption, Subject, Survey
from survey_app.services.design import definition_checks, definitions, structure
from survey_app.services.results import exports, lifecycle, report_models, reports
from tests.app.documents import pdf_text_or_skip
from tests.app.factories import _system_user as factory_user
from tests.app.factories import cast


def _report(app, survey_id):
    with app.app_context():
        return reports.survey_report(db.session.get(Survey, survey_id))


def _with_scale(app, make_survey, preset, *, unknown_label=None):
    """A published survey on a preset scale (its 不了解 option renamed when asked)."""
    survey_id = make_survey()
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        actor = factory_user()
        structure.replace_scale(survey, preset, True, actor)
        if unknown_label:
            unknown = next(o for o in survey.scale_options if o.is_unknown)
            structure.update_scale_option(unknown, {"label": unknown_label}, actor)
        lifecycle.change_status(survey, "publish", actor)
        db.session.commit()
    return survey_id


# ---- #13.3 grade shares by is_unknown; null without a reportable group -------------------


def test_an_unknown_option_named_otherwise_is_in_no_share(app, make_survey):
    # The scale ends in 无法评价 (is_unknown) instead of 不了解: it used to count in every share
    # (优秀 0.4 beside top_share 0.5).
    survey_id = _with_scale(app, make_survey, "competence", unknown_label="无法评价")
    for ratings in (("优秀", "无法评价"), ("称职", "无法评价"), ("优秀", "优秀"), ("称职", "称职"), ("优秀", "称职")):
        cast(app, survey_id, "superior", {"C1": ratings})
    report = _report(app, survey_id)
    body = exports.results_json(report)
    c1 = next(s for s in body["subjects"] if s["key"] == "C1")
    assert c1["grades"]["unknown"] == 2
    assert c1["grades"]["shares"] == {"优秀": 0.5, "称职": 0.5, "基本称职": 0.0, "不称职": 0.0}
    assert c1["grades"]["shares"]["优秀"] == c1["grades"]["top_share"]
    assert c1["grades"]["pass_share"] == 1.0


def test_grades_are_null_when_no_group_is_reportable(app, make_survey):
    survey_id = _with_scale(app, make_survey, "competence")
    cast(app, survey_id, "superior", {"C1": ("优秀", "优秀")})  # 1 < 3 superiors
    body = exports.results_json(_report(app, survey_id))
    c1 = next(s for s in body["subjects"] if s["key"] == "C1")
    assert c1["index"] is None
    assert c1["grades"]["counts"] is None and c1["grades"]["shares"] is None  # not zeros
    assert c1["grades"]["top_share"] is None


def test_a_custom_scale_reports_the_figures_its_organizer_marked(app, make_survey):
    survey_id = make_survey()
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        actor = factory_user()
        for option in list(survey.scale_options):
            structure.remove_item(survey, option, actor)
        for label, score, role in (("很好", 100, "top"), ("尚可", 70, "pass"), ("欠佳", 40, None),
                                   ("很差", 0, "negative")):
            structure.add_scale_option(survey, {"label": label, "score": score, "is_unknown": False, "role": role},
                                     actor)
        lifecycle.change_status(survey, "publish", actor)
        db.session.commit()
    for ratings in (("很好", "尚可"), ("欠佳", "很差"), ("很好", "很好")):
        cast(app, survey_id, "superior", {"C1": ratings})
    report = _report(app, survey_id)
    c1 = next(row for row in report.subjects if row.key == "C1")
    assert (c1.top_share, c1.pass_share, c1.negative_share) == (pytest.approx(3 / 6), pytest.approx(4 / 6),
                                                                 pytest.approx(1 / 6))
    assert [name.text() for name, _field in report_models.figure_columns(report)] == ["很好率", "尚可及以上", "很差率"]


def test_a_custom_scale_without_roles_reports_no_shares_and_says_so(app, make_survey):
    survey_id = make_survey()
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        actor = factory_user()
        for option in survey.scale_options:
            structure.update_scale_option(option, {"role": None}, actor)
        lifecycle.change_status(survey, "publish", actor)
        db.session.commit()
    for _ in range(3):
        cast(app, survey_id, "superior", {"C1": ("优秀", "称职")})
    body = exports.results_json(_report(app, survey_id))
    assert body["figures"] == {"top": None, "pass": None, "negative": None}
    c1 = next(s for s in body["subjects"] if s["key"] == "C1")
    assert c1["grades"]["top_share"] is None and c1["grades"]["pass_share"] is None
    assert c1["grades"]["shares"]["优秀"] == 0.5  # the option shares stay


def test_a_role_belongs_to_one_option_and_never_to_unknown(app, make_survey):
    survey_id = make_survey()
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        actor = factory_user()
        by_label = {o.label: o for o in survey.scale_options}
        with pytest.raises(ValidationFailed, match="优秀"):
            structure.update_scale_option(by_label["称职"], {"role": "top"}, actor)
        with pytest.raises(ValidationFailed, match="不了解"):
            structure.update_scale_option(by_label["不了解"], {"role": "negative"}, actor)
        assert by_label["称职"].role == "pass" and by_label["不了解"].role is None


def test_the_builder_form_sets_a_role_and_refuses_a_second_holder(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login("organizer", Role.ORGANIZER)
    with app.app_context():
        options = {o.label: o.id for o in db.session.get(Survey, survey_id).scale_options}
    url = f"/admin/surveys/{survey_id}/options/{options['基本称职']}/edit"
    assert "结果中标记为" in client.get(url).get_data(as_text=True)
    form = {"options-label": "基本称职", "options-score": "60", "options-role": "pass"}
    refused = client.post(url, data=form)
    assert refused.status_code == 400
    assert "已是此标记" in refused.get_data(as_text=True)
    form["options-role"] = ""
    assert client.post(url, data=form).status_code == 302
    with app.app_context():
        assert db.session.get(ScaleOption, options["称职"]).role == "pass"


# ---- #13.4 figures in the scale's own words ----------------------------------------------


def test_a_satisfaction_scale_names_its_figures_in_its_own_words(app, client, auth, make_survey):
    # 满意/基本满意/不满意: the page said 优秀率/满意率 52.9% (the share of 满意) beside a
    # subject page's 满意率 79.4% (满意 + 基本满意). Now 满意率 is the share of 满意 everywhere.
    survey_id = _with_scale(app, make_survey, "satisfaction3")
    for ratings in (("满意", "满意"), ("基本满意", "满意"), ("不满意", "基本满意")):
        cast(app, survey_id, "superior", {"C1": ratings})
    report = _report(app, survey_id)
    c1 = next(row for row in report.subjects if row.key == "C1")
    assert (c1.top_share, c1.pass_share, c1.negative_share) == (pytest.approx(3 / 6), pytest.approx(5 / 6),
                                                                 pytest.approx(1 / 6))
    assert exports.results_json(report)["figures"] == {"top": "满意率", "pass": "基本满意及以上", "negative": "不满意率"}
    auth.login("viewer", Role.VIEWER)
    results = client.get(f"/admin/reports/{survey_id}").get_data(as_text=True)
    ranking = results.split('id="ranking"')[1].split("</table>")[0]
    assert "满意率" in ranking and "基本满意及以上" in ranking and "优秀率" not in ranking
    assert "50.0%" in ranking and "83.3%" in ranking
    with app.app_context():
        c1_id = db.session.scalars(select(Subject.id).where(Subject.key == "C1", Subject.survey_id == survey_id)).one()
    subject = client.get(f"/admin/reports/{survey_id}/subjects/{c1_id}").get_data(as_text=True)
    grades = subject.split('id="grades"')[1].split("</table>")[0]
    assert "满意率" in grades and "基本满意及以上" in grades and "不满意率" in grades and "称职率" not in grades
    assert "50.0%" in grades and "83.3%" in grades and "16.7%" in grades


def test_the_five_point_scale_counts_its_negative_options_together(app, make_survey):
    survey_id = _with_scale(app, make_survey, "satisfaction5")
    for ratings in (("非常满意", "不满意"), ("满意", "非常不满意"), ("一般", "满意")):
        cast(app, survey_id, "superior", {"C1": ratings})
    report = _report(app, survey_id)
    c1 = next(row for row in report.subjects if row.key == "C1")
    assert c1.negative_share == pytest.approx(2 / 6)  # 不满意 and 非常不满意
    assert exports.results_json(report)["figures"] == {"top": "非常满意率", "pass": "满意及以上",
                                                       "negative": "不满意及以下"}


def test_choosing_a_group_ranks_by_that_groups_index(app, client, auth, make_survey):
    # 上级 prefer 张伟 (C1), 服务对象 prefer 李娜 (C2); combined, 张伟 leads.
    survey_id = make_survey(publish=True)
    for _ in range(3):
        cast(app, survey_id, "superior", {"C1": ("优秀", "优秀"), "C2": ("基本称职", "基本称职")})
        cast(app, survey_id, "served", {"C1": ("称职", "称职"), "C2": ("优秀", "称职")})
    auth.login("viewer", Role.VIEWER)

    def names_in_order(query: str) -> list[str]:
        page = client.get(f"/admin/reports/{survey_id}{query}").get_data(as_text=True)
        table = page.split('id="ranking"')[1].split("</table>")[0]
        rows = table.split("<tr>")[2:]
        return [next(name for name in ("张伟", "李娜", "王强") if name in row) for row in rows]

    assert names_in_order("")[:2] == ["张伟", "李娜"]
    served = names_in_order("?group=服务对象")
    assert served[:2] == ["李娜", "张伟"]
    page = client.get(f"/admin/reports/{survey_id}?group=服务对象").get_data(as_text=True)
    first_row = page.split('id="ranking"')[1].split("<tr>")[2]
    assert re.search(r"<td>1</td>", first_row)


def test_exports_and_results_page_carry_a_per_dimension_table(app, client, auth, make_survey):
    survey_id = make_survey(publish=True)
    for ratings in (("优秀", "称职"), ("称职", "称职"), ("优秀", None)):
        cast(app, survey_id, "superior", {"C1": ratings, "C2": ("称职", "基本称职")})
    report = _report(app, survey_id)
    auth.login("viewer", Role.VIEWER)
    book = load_workbook(io.BytesIO(client.get(f"/admin/reports/{survey_id}/export.xlsx").data))
    sheet = [[cell.value for cell in row] for row in book["各维度"].iter_rows()]
    assert sheet[0] == ["排名", "评议对象", "单位", "服务意识", "担当精神"]
    by_name = {cells[1]: cells for cells in sheet[1:]}
    c1 = next(row for row in report.subjects if row.key == "C1")
    assert by_name["张伟"][3:] == [pytest.approx(c1.dimensions[0]), "样本不足"]  # 担当精神 scored by 2 < 3
    assert by_name["王强"][3:] == ["样本不足", "样本不足"]
    page = client.get(f"/admin/reports/{survey_id}").get_data(as_text=True)
    table = page.split('id="dimensions"')[1].split("</table>")[0]
    assert "服务意识" in table and f"{c1.dimensions[0]:.1f}" in table
    text = pdf_text_or_skip(client.get(f"/admin/reports/{survey_id}/export.pdf").data)
    section = text.split("各维度指数")[1]
    assert "服务意识" in section and "担当精神" in section and f"{c1.dimensions[0]:.1f}" in section


# ---- #13.5 the builder's selector shows the active scale ---------------------------------


@pytest.mark.parametrize("preset", ["satisfaction3", "quality"])
def test_the_scale_selector_shows_the_active_scale(app, client, auth, make_survey, preset):
    survey_id = make_survey()
    with app.app_context():
        structure.replace_scale(db.session.get(Survey, survey_id), preset, True, factory_user())
        db.session.commit()
    auth.login("organizer", Role.ORGANIZER)
    page = client.get(f"/admin/surveys/{survey_id}").get_data(as_text=True)
    selector = page.split('name="preset-scale"')[1].split("</select>")[0]
    assert re.search(rf'<option selected value="{preset}"|<option value="{preset}" selected', selector)


# ---- the survey definition format carries the roles ------------------------------------


def test_definitions_carry_roles_and_old_files_get_the_presets(app, make_survey):
    survey_id = _with_scale(app, make_survey, "satisfaction3")
    with app.app_context():
        exported = definitions.export_definition(db.session.get(Survey, survey_id))
    options = exported["scale"]["options"]
    assert [o.get("role") for o in options] == ["top", "pass", "negative", None]
    assert definition_checks.validate_definition(exported) == []
    with app.app_context():
        copy = definitions.import_definition({**exported, "title": "副本"}, factory_user())
        assert [o.role for o in copy.scale_options] == ["top", "pass", "negative", None]
        for option in options:
            option.pop("role", None)  # a file written before roles existed
        assert definition_checks.validate_definition(exported) == []
        old = definitions.import_definition({**exported, "title": "旧文件"}, factory_user())
        assert [o.role for o in old.scale_options] == ["top", "pass", "negative", None]
        db.session.rollback()
    options[3]["role"] = "top"
    problems = definition_checks.validate_definition(exported)
    assert any("scale.options[3].role" in p for p in problems)
    del options[3]["role"]
    options[0]["role"] = options[1]["role"] = "top"
    assert any("scale.options[1].role" in p for p in definition_checks.validate_definition(exported))
