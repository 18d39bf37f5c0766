"""Every irreversible action asks first: a GET shows a page saying what it locks or
destroys, the POST without confirm=yes changes nothing (the service refuses), and with
confirm=yes it happens. Works without JavaScript: the page is a plain form."""

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AccessCode, CodeBatch, CodeStatus, Role, Subject, Survey, SurveyStatus
from survey_app.models.assessment import AssessmentPlan, PlanStatus
from survey_app.services import assessments, codes
from tests.app.test_assessments import _build_plan, actor, set_status
from tests.app.test_assessments import survey_id as assessed_survey_id  # noqa: F401 (fixture)

CONFIRM = {"confirm": "yes"}


def status_of(app, survey_id):
    with app.app_context():
        return db.session.get(Survey, survey_id).status


def test_publish_asks_first_and_says_what_it_locks(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    builder = client.get(f"/admin/surveys/{survey_id}").text
    assert f'href="/admin/surveys/{survey_id}/status/publish"' in builder  # a link, not a POST button

    page = client.get(f"/admin/surveys/{survey_id}/status/publish")
    assert page.status_code == 200
    text = page.text
    assert "确认发布" in text and "结构将被锁定" in text
    assert "3 个评议对象" in text and "只能修改文字" in text and "不能退回草稿" in text
    assert 'name="confirm" value="yes"' in text

    refused = client.post(f"/admin/surveys/{survey_id}/status/publish", follow_redirects=True)
    assert "请先在确认页面上确认" in refused.text and "结构将被锁定" in refused.text  # back on the page
    assert status_of(app, survey_id) is SurveyStatus.DRAFT

    assert client.post(f"/admin/surveys/{survey_id}/status/publish", data=CONFIRM).status_code == 302
    assert status_of(app, survey_id) is SurveyStatus.PUBLISHED


def test_close_and_archive_ask_first(app, client, auth, make_survey):
    survey_id = make_survey(publish=True)
    auth.login()
    text = client.get(f"/admin/surveys/{survey_id}/status/close").text
    assert "已收到的 0 份答卷将被封存" in text
    client.post(f"/admin/surveys/{survey_id}/status/close")
    assert status_of(app, survey_id) is SurveyStatus.PUBLISHED
    client.post(f"/admin/surveys/{survey_id}/status/close", data=CONFIRM)
    assert status_of(app, survey_id) is SurveyStatus.CLOSED

    assert "不能重新开放" in client.get(f"/admin/surveys/{survey_id}/status/archive").text
    client.post(f"/admin/surveys/{survey_id}/status/archive")
    assert status_of(app, survey_id) is SurveyStatus.CLOSED
    client.post(f"/admin/surveys/{survey_id}/status/archive", data=CONFIRM)
    assert status_of(app, survey_id) is SurveyStatus.ARCHIVED
    # A step the state does not allow is not offered as a confirmation page.
    response = client.get(f"/admin/surveys/{survey_id}/status/publish", follow_redirects=True)
    assert "当前状态下不能执行此操作" in response.text


def test_delete_draft_and_remove_item_ask_first(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    with app.app_context():
        subject_id = db.session.scalars(select(Subject.id).where(Subject.key == "C1")).one()
    text = client.get(f"/admin/surveys/{survey_id}/subjects/{subject_id}/remove").text
    assert "将从问卷中删除" in text
    client.post(f"/admin/surveys/{survey_id}/subjects/{subject_id}/remove")
    with app.app_context():
        assert db.session.get(Subject, subject_id) is not None
    client.post(f"/admin/surveys/{survey_id}/subjects/{subject_id}/remove", data=CONFIRM)
    with app.app_context():
        assert db.session.get(Subject, subject_id) is None

    assert "将被永久删除" in client.get(f"/admin/surveys/{survey_id}/delete").text
    client.post(f"/admin/surveys/{survey_id}/delete")
    assert status_of(app, survey_id) is SurveyStatus.DRAFT
    client.post(f"/admin/surveys/{survey_id}/delete", data=CONFIRM)
    with app.app_context():
        assert db.session.get(Survey, survey_id) is None


def test_voiding_a_code_batch_asks_first(app, client, auth, make_survey):
    survey_id = make_survey(publish=True)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        codes.issue_batch(survey, survey.groups[0], 4, None)
        db.session.commit()
        batch_id = db.session.scalars(select(CodeBatch.id)).one()
    auth.login()
    text = client.get(f"/admin/codes/batches/{batch_id}/void").text
    assert "未使用的 4 个评议码将作废" in text
    client.post(f"/admin/codes/batches/{batch_id}/void")
    client.post(f"/admin/codes/batches/{batch_id}/reissue")

    def issued():
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(AccessCode)
                                     .where(AccessCode.status == CodeStatus.ISSUED))

    assert issued() == 4
    client.post(f"/admin/codes/batches/{batch_id}/void", data=CONFIRM)
    assert issued() == 0


def test_confirming_assessment_results_asks_first(app, client, auth, assessed_survey_id):  # noqa: F811
    with app.app_context():
        plan = _build_plan(db.session.get(Survey, assessed_survey_id))
        db.session.commit()
        plan_id = plan.id
    set_status(app, plan_id, "propose")
    auth.login()
    assert f'href="/admin/assessments/{plan_id}/status/confirm"' in client.get(f"/admin/assessments/{plan_id}").text
    text = client.get(f"/admin/assessments/{plan_id}/status/confirm").text
    assert "个考核对象记录最终等次" in text and "确认后方案锁定" in text
    with app.app_context():  # settle the ties and the missing score, so only the confirmation lacks
        subjects = {s.key: s for s in db.session.get(AssessmentPlan, plan_id).subjects}
        assessments.override_grade(subjects["T1"], "优秀", "党委会研究确定", actor())
        assessments.override_grade(subjects["T2"], "称职", "并列时按领导评价较低者", actor())
        assessments.override_grade(subjects["T3"], "称职", "领导评价因换届未开展", actor())
        db.session.commit()
    refused = client.post(f"/admin/assessments/{plan_id}/status/confirm", follow_redirects=True)
    assert "请先在确认页面上确认" in refused.text
    with app.app_context():
        assert db.session.get(AssessmentPlan, plan_id).status is PlanStatus.PROPOSED
    client.post(f"/admin/assessments/{plan_id}/status/confirm", data=CONFIRM)
    with app.app_context():
        assert db.session.get(AssessmentPlan, plan_id).status is PlanStatus.CONFIRMED


def test_viewer_cannot_open_a_confirmation_page(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login("viewer", Role.VIEWER)
    assert client.get(f"/admin/surveys/{survey_id}/status/publish").status_code == 403
    assert client.get(f"/admin/surveys/{survey_id}/delete").status_code == 403


def test_services_refuse_irreversible_steps_without_confirmation(app, make_survey):
    from survey_app.errors import ConfirmationRequired
    from survey_app.services import surveys
    from tests.app.factories import _system_user

    survey_id = make_survey()
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        for call in (lambda: surveys.change_status(survey, "publish", _system_user(), confirmed=False),
                     lambda: surveys.delete_survey(survey, _system_user(), confirmed=False),
                     lambda: surveys.remove_item(survey, survey.subjects[0], _system_user(), confirmed=False)):
            with pytest.raises(ConfirmationRequired):
                call()
        assert survey.status is SurveyStatus.DRAFT and len(survey.subjects) == 3
        surveys.change_status(survey, "publish", _system_user(), confirmed=True)
        batch = codes.issue_batch(survey, survey.groups[0], 2, None).batch
        with pytest.raises(ConfirmationRequired):
            codes.void_batch(batch, None, confirmed=False)
        assert not batch.is_void
