"""The builder's ballot preview: one per respondent group, before and after publishing,
marked 预览, with no working submit, no code, and nothing in the respondents' page cache."""

from sqlalchemy import func, select

from survey_app.blueprints import respondent
from survey_app.extensions import db
from survey_app.models import AuditEntry, Ballot, RespondentGroup, Role, Survey
from tests.app.respondent_helpers import complete_values, issue_codes


def groups_of(app, survey_id) -> list[tuple[int, str]]:
    with app.app_context():
        return [(g.id, g.name) for g in db.session.get(Survey, survey_id).groups]


def ballots(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Ballot))


def test_survey_page_links_a_preview_per_group(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    page = client.get(f"/admin/surveys/{survey_id}").text
    for group_id, name in groups_of(app, survey_id):
        assert f"/admin/surveys/{survey_id}/preview/{group_id}" in page and f"预览：{name}" in page


def test_preview_before_publishing_shows_the_ballot_marked_and_unsubmittable(app, client, auth, make_survey):
    survey_id = make_survey()
    group_id, name = groups_of(app, survey_id)[0]
    auth.login()
    response = client.get(f"/admin/surveys/{survey_id}/preview/{group_id}")
    assert response.status_code == 200
    page = response.text
    assert 'id="preview-banner"' in page and "预览不能提交" in page and f"评议主体：{name}" in page
    assert all(name in page for name in ("张伟", "李娜", "王强", "服务意识", "总体评价"))  # what they will rate
    assert '<button type="submit" class="submit" disabled>' in page
    assert f'action="/admin/surveys/{survey_id}/preview/{group_id}"' in page  # GET-only: posts nowhere
    assert 'name="idempotency_key" value=""' in page

    # A POST to the preview records nothing.
    assert client.post(f"/admin/surveys/{survey_id}/preview/{group_id}", data={"x": "1"}).status_code == 405
    assert ballots(app) == 0


def test_preview_after_publishing_records_nothing_and_stays_out_of_the_page_cache(app, client, auth, make_survey):
    survey_id = make_survey(publish=True)
    with app.app_context():
        group_id = db.session.scalars(select(RespondentGroup.id).where(RespondentGroup.key == "superior")).one()
    respondent._FRESH_PAGES.clear()
    auth.login()
    with app.app_context():
        audit_before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    assert 'id="preview-banner"' in client.get(f"/admin/surveys/{survey_id}/preview/{group_id}").text
    assert not any(respondent._FRESH_PAGES.values())  # the preview rendered outside the cache
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before

    # The real ballot, rendered after the preview, carries no preview mark and submits.
    auth.logout()
    code = issue_codes(app, survey_id)[0]
    real = client.get(f"/s/{code}").text
    assert 'id="preview-banner"' not in real and '<button type="submit" class="submit">' in real
    values = complete_values(app, survey_id)
    assert client.post(f"/s/{code}", data={**values, "idempotency_key": "k" * 22}).status_code == 303
    assert ballots(app) == 1


def test_preview_of_a_group_rating_some_subjects_shows_only_those(app, client, auth, make_survey):
    survey_id = make_survey()
    served = next(group_id for group_id, name in groups_of(app, survey_id) if name == "服务对象")
    auth.login()
    page = client.get(f"/admin/surveys/{survey_id}/preview/{served}").text
    assert "张伟" in page and "李娜" in page and "王强" not in page


def test_preview_of_another_surveys_group_is_not_found_and_viewers_cannot_preview(app, client, auth, make_survey):
    first, second = make_survey(), make_survey(title="另一个")
    foreign_group = groups_of(app, second)[0][0]
    auth.login()
    assert client.get(f"/admin/surveys/{first}/preview/{foreign_group}").status_code == 404
    auth.logout()
    auth.login("viewer", Role.VIEWER)
    assert client.get(f"/admin/surveys/{first}/preview/{groups_of(app, first)[0][0]}").status_code == 403
