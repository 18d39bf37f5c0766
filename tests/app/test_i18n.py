"""Chinese first; English when the user switches to it."""


def test_pages_speak_chinese_by_default_even_to_english_browsers(client):
    page = client.get("/auth/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "登录" in page


def test_language_switch_turns_the_ui_english_and_back(client, auth, make_survey):
    survey_id = make_survey()
    auth.login()
    client.post("/locale", data={"locale": "en", "next": f"/admin/surveys/{survey_id}"})
    page = client.get(f"/admin/surveys/{survey_id}").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Subjects" in page and "评议对象" not in page
    response = client.post("/admin/surveys/new", data={"kind": "democratic", "template": "blank", "year": "1900"})
    assert response.status_code == 400
    client.post("/locale", data={"locale": "zh_CN"})
    assert "评议对象" in client.get(f"/admin/surveys/{survey_id}").get_data(as_text=True)


def test_language_switch_refuses_offsite_redirects(client):
    response = client.post("/locale", data={"locale": "en", "next": "//evil.example.org/"})
    assert response.headers["Location"] == "/"


def test_definition_import_problems_and_joined_phrases_follow_the_language(app, client):
    from flask import session

    from survey_app.services.design import definition_checks
    from survey_app.services.platform import phrasing

    with app.test_request_context():
        assert phrasing.noted("称职", "70 分及以上") == "称职（70 分及以上）"
    with app.test_request_context():
        session["locale"] = "en"  # before the first gettext: Babel keeps a request's locale
        assert phrasing.noted("Competent", "70 points or more") == "Competent (70 points or more)"
        assert phrasing.listing(["A", "B"]) == "A, B" and phrasing.labelled("Note", "x") == "Note: x"
        problems = definition_checks.validate_definition({"format_version": 1})
        assert problems and all("：" not in problem for problem in problems)
        assert "kind: Required item missing" in problems
