"""Per-subject comments (意见建议): stored with the ballot, checked like other text, and
shown to staff only for groups at or above their minimum size."""

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Role, Subject, SubjectComment
from survey_app.services.respondents.ballot_rules import comment_key
from tests.app.respondent_helpers import ballot_count, complete_values, form_data, issue_codes


def subject_id(app, key):
    with app.app_context():
        return db.session.scalars(select(Subject.id).where(Subject.key == key)).first()


def comment_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SubjectComment))


def submit(client, app, survey_id, group, comments, key):
    code = issue_codes(app, survey_id, group, 1)[0]
    values = complete_values(app, survey_id, group)
    values.update({comment_key(subject_id(app, k)): [text] for k, text in comments.items()})
    return client.post(f"/s/{code}", data=form_data(values, key=key))


@pytest.fixture
def survey_id(make_survey):
    return make_survey(publish=True, subject_comments=True)


def test_ballot_page_offers_a_comment_box_per_subject(app, client, survey_id):
    code = issue_codes(app, survey_id, "superior", 1)[0]
    page = client.get(f"/s/{code}").get_data(as_text=True)
    assert page.count("意见建议（选填）") == 3


def test_comments_of_a_large_enough_group_are_shown_and_a_small_groups_are_not(app, client, auth, survey_id):
    for i in range(3):
        assert submit(client, app, survey_id, "superior", {"C1": f"上级意见{i}"}, f"sup-key-{i:016d}").status_code == 303
    for i in range(2):  # 服务对象: only two respondents, below the minimum of three
        assert submit(client, app, survey_id, "served", {"C1": f"服务对象意见{i}"}, f"srv-key-{i:016d}").status_code == 303
    assert comment_count(app) == 5
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/reports/{survey_id}/subjects/{subject_id(app, 'C1')}").get_data(as_text=True)
    assert all(f"上级意见{i}" in page for i in range(3))
    assert "服务对象意见" not in page


def test_markup_in_a_comment_is_refused_and_nothing_is_stored(app, client, survey_id):
    before = ballot_count(app)
    response = submit(client, app, survey_id, "superior", {"C1": "<script>alert(1)</script>"}, "x" * 22)
    assert response.status_code == 422
    assert "请不要输入网页代码" in response.get_data(as_text=True)
    assert ballot_count(app) == before and comment_count(app) == 0


def test_overlong_comment_is_refused(app, client, survey_id):
    response = submit(client, app, survey_id, "superior", {"C1": "长" * 501}, "y" * 22)
    assert response.status_code == 422 and "最多 500 个字" in response.get_data(as_text=True)


def test_a_survey_without_comment_boxes_stores_none(app, client, make_survey):
    plain = make_survey(publish=True)
    assert submit(client, app, plain, "superior", {"C1": "不该保存"}, "z" * 22).status_code == 303
    assert comment_count(app) == 0


def test_api_accepts_comments(app, client, survey_id):
    code = issue_codes(app, survey_id, "superior", 1)[0]
    values = complete_values(app, survey_id, "superior")
    ratings = []
    for key, (option,) in values.items():
        if key.startswith("r-"):
            _, subject, dimension = key.split("-")
            ratings.append({"subject_id": int(subject), "dimension_id": int(dimension), "option_id": int(option)})
    question = next(int(k[2:]) for k in values if k.startswith("q-"))
    body = {"code": code, "idempotency_key": "a" * 22, "ratings": ratings,
            "answers": [{"question_id": question, "value": "满意"}],
            "comments": [{"subject_id": subject_id(app, "C2"), "text": "作风扎实"}]}
    response = client.post("/api/v1/ballots", json=body)
    assert response.status_code in (200, 201), response.get_json()
    with app.app_context():
        assert db.session.scalars(select(SubjectComment.text)).all() == ["作风扎实"]
