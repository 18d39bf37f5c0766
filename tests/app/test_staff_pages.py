"""Small defects of the staff pages (#13.7): favicon, rank placeholders."""

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Role, Subject, Survey
from survey_app.services.design import structure
from survey_app.services.platform import users
from survey_app.services.results import lifecycle

ICO_HEADER = b"\x00\x00\x01\x00"


def test_every_page_links_a_favicon_that_is_served(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.ico">' in page
    response = client.get("/static/favicon.ico")
    try:
        assert response.status_code == 200 and response.data.startswith(ICO_HEADER)
        assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon"), response.mimetype
    finally:
        response.close()


def test_a_subject_without_category_or_rank_says_so_in_words(app, client, auth, make_survey):
    """"类别内排名（—）" read as 类别内排名（一）."""
    survey_id = make_survey()
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        actor = users.find_user("factory")
        structure.add_subject(survey, {"key": "C9", "name": "赵敏", "position_title": "主任"}, actor)
        lifecycle.change_status(survey, "publish", actor)
        db.session.commit()
        subject_id = db.session.scalar(select(Subject.id).where(Subject.key == "C9"))
    auth.login("viewer", Role.VIEWER)
    page = client.get(f"/admin/reports/{survey_id}/subjects/{subject_id}").get_data(as_text=True)
    assert "类别内排名（未分类）" in page and "未排名" in page
    assert "（—）" not in page
