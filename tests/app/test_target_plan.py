"""A plan component taking its values from a 考核细则's scores (source TARGETS)."""

import pytest

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import Role
from survey_app.models.assessment import ComponentSource, PlanSubjectKind
from survey_app.services.assessment import grading, plans
from survey_app.services.platform import users
from tests.app import target_scores_helpers as h


@pytest.fixture
def organizer(app):
    with app.app_context():
        users.create_user("organizer", "correct horse battery", Role.ORGANIZER)
        db.session.commit()


def _actor():
    return users.find_user("organizer")


def test_the_component_takes_each_units_final_total_rescaled(app, organizer):
    with app.app_context():
        plan = h.targets_plan(h.worked_example(), _actor())
        view = grading.compute_plan(plan)
        rows = {row.name: row for c in view.categories for row in c.subjects}
        assert rows["乙局"].composite == pytest.approx(89.0) and rows["乙局"].rank == 1
        assert rows["甲局"].composite == pytest.approx(85.64) and rows["甲局"].rank == 2
        assert rows["甲局"].parts[0].score == pytest.approx(89.4) and rows["甲局"].parts[0].is_linked
        assert rows["丙局"].composite is None and rows["丙局"].missing == ("指标考评",)


def test_a_system_of_another_year_or_a_cadre_plan_is_refused(app, organizer):
    with app.app_context():
        system = h.demo_system(2025)
        plan = plans.create_plan({"title": "p", "year": 2026, "subject_kind": PlanSubjectKind.UNIT}, _actor())
        category = plans.add_category(plan, "市直单位", _actor())
        data = {"name": "指标考评", "weight": 60, "source": ComponentSource.TARGETS, "indicator_system_id": system.id}
        with pytest.raises(ValidationFailed, match="是 2025 年度的，与考核方案的 2026 年度不符"):
            plans.add_component(category, data, _actor())
        cadres = plans.create_plan({"title": "c", "year": 2025, "subject_kind": PlanSubjectKind.CADRE}, _actor())
        with pytest.raises(ValidationFailed, match="指标考评得分只能用于考核对象为单位的方案"):
            plans.add_component(plans.add_category(cadres, "市直单位", _actor()), data, _actor())
        draft = h.demo_system(2026, publish=False)
        with pytest.raises(ValidationFailed, match="只能关联已发布的考核细则"):
            plans.add_component(category, dict(data, indicator_system_id=draft.id), _actor())
        with pytest.raises(ValidationFailed, match="请选择考核细则"):
            plans.add_component(category, dict(data, indicator_system_id=None), _actor())
        assert category.components == []


def test_the_component_form_links_a_system(app, client, auth, organizer):
    with app.app_context():
        system = h.worked_example()
        plan = plans.create_plan({"title": "p", "year": 2026, "subject_kind": PlanSubjectKind.UNIT}, _actor())
        category = plans.add_category(plan, "市直单位", _actor())
        db.session.commit()
        plan_id, category_id, system_id = plan.id, category.id, system.id
    auth.login("organizer")
    page = client.get(f"/admin/assessments/{plan_id}").get_data(as_text=True)
    assert "关联考核细则的指标考评得分" in page
    key = f"component-{category_id}"
    response = client.post(f"/admin/assessments/{plan_id}/categories/{category_id}/components", data={
        f"{key}-name": "指标考评", f"{key}-weight": "60", f"{key}-source": "targets",
        f"{key}-indicator_system_id": str(system_id)})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        component = plans.db.session.get(type(category), category_id).components[0]
        assert component.source is ComponentSource.TARGETS and component.indicator_system_id == system_id


def test_the_subject_page_shows_the_breakdown(app, client, auth, organizer):
    with app.app_context():
        plan = h.targets_plan(h.worked_example(), _actor())
        db.session.commit()
        ids = {s.name: s.id for s in plan.subjects}
        plan_id = plan.id
    auth.login("organizer")
    page = client.get(f"/admin/assessments/{plan_id}/subjects/{ids['甲局']}").get_data(as_text=True)
    assert "指标考评明细：指标考评" in page and "完成率 96%，每低1%扣0.5分：30 − 2 = 28" in page
    assert "折算为百分制：89.40 ÷ 100 × 100 = 89.40" in page
    page = client.get(f"/admin/assessments/{plan_id}/subjects/{ids['丙局']}").get_data(as_text=True)
    assert "核验尚未完成（预估），不计入综合得分，缺项" in page


def test_the_committee_exports_carry_the_breakdown(app, organizer):
    from datetime import date
    from io import BytesIO

    from openpyxl import load_workbook

    from survey_app.services.assessment import committee_pdf, committee_workbook
    from tests.app.documents import pdf_text_or_skip

    with app.app_context():
        plan = h.targets_plan(h.worked_example(), _actor())
        view = grading.compute_plan(plan)
        book = load_workbook(BytesIO(committee_workbook.results_workbook(plan, view, date(2027, 1, 25))))
        rows = [r for r in book["指标考评明细"].iter_rows(values_only=True)]
        leaf = next(r for r in rows if r[2] == "甲局" and r[6] == "1.1")
        assert leaf[5:] == ("最终", "1.1", "招商引资到位资金", 30, 100, 96, 28, "完成率 96%，每低1%扣0.5分：30 − 2 = 28")
        total = next(r for r in rows if r[2] == "甲局" and r[6] is None)
        assert total[7] == "合计 89.4 / 100，第 2 名" and total[12] == "折算为百分制 89.4"
        assert any(r[2] == "丙局" and r[12] == "核验尚未完成（预估），不计入综合得分，缺项" for r in rows)
        text = pdf_text_or_skip(committee_pdf.results_pdf(plan, view, date(2027, 1, 25)))
        assert "指标考评明细：指标考评" in text and "89.40" in text and "54.40" in text


def test_a_scoped_export_keeps_only_own_units_breakdown(app, organizer):
    from datetime import date
    from io import BytesIO

    from openpyxl import load_workbook

    from survey_app.services.assessment import committee_workbook

    with app.app_context():
        plan = h.targets_plan(h.worked_example(), _actor())
        view = grading.scoped(grading.compute_plan(plan), plan, {h.unit("丙局").id})
        book = load_workbook(BytesIO(committee_workbook.results_workbook(plan, view, date(2027, 1, 25), is_scoped=True)))
        names = {r[2] for r in book["指标考评明细"].iter_rows(values_only=True)}
        assert "丙局" in names and "甲局" not in names and "乙局" not in names
