"""Chart text follows the reader's language; start-up names what the fonts cannot draw."""

import logging
import re

import pytest

from analytics import charts
from survey_app import create_app
from survey_app.config import TestingConfig
from survey_app.models import Role
from survey_app.services.platform import pdf_fonts
from tests.app.test_dossiers import rated  # noqa: F401 — fixture

HAN = re.compile(r"[\u3400-\u9fff]")
CHART_FUNCTIONS = ("ranking_chart", "dimension_profile_chart", "group_bars_chart", "grade_distribution_chart",
                   "trend_chart")
#: Data, not wording: a subject's trend line is named after the cadre, as entered.
CADRES = {"张伟", "李娜", "王强"}


@pytest.fixture
def chart_wording(monkeypatch):
    """Record the wording (titles, axis and series labels) every chart is drawn with."""
    seen: list[tuple[str, str]] = []

    def spy(name, draw):
        def recording(*args, **kwargs):
            for key in ("title", "axis_label", "missing_label"):
                if kwargs.get(key):
                    seen.append((name, str(kwargs[key])))
            if name == "trend_chart":
                seen.extend((name, str(label)) for label, _values in args[1] if label not in CADRES)
            return draw(*args, **kwargs)
        return recording

    for name in CHART_FUNCTIONS:
        monkeypatch.setattr(charts, name, spy(name, getattr(charts, name)))
    return seen


def test_chart_wording_is_english_for_an_english_reader(client, auth, rated, chart_wording):  # noqa: F811
    auth.login("viewer", Role.VIEWER)
    client.post("/locale", data={"locale": "en"})
    survey = rated["2026"]
    report_urls = [f"/admin/reports/{survey}/charts/ranking.svg", f"/admin/reports/{survey}/export.pdf"]
    subject_page = client.get(f"/admin/reports/{survey}").get_data(as_text=True)
    subject_ids = sorted(set(re.findall(rf"/admin/reports/{survey}/subjects/(\d+)", subject_page)))
    assert subject_ids
    # a subject with a group large enough to show its grades (the disclosure rule hides the rest)
    subject_id = next(each for each in subject_ids
                      if "charts/grades.svg" in client.get(f"/admin/reports/{survey}/subjects/{each}").get_data(as_text=True))
    report_urls += [f"/admin/reports/{survey}/subjects/{subject_id}/charts/{name}.png"
                    for name in ("dimensions", "groups", "grades", "trend")]
    report_urls.append(f"/admin/reports/{survey}/subjects/{subject_id}/export.pdf")
    dossier_urls = ["/admin/dossiers/C1/charts/trend.svg", "/admin/dossiers/C1/dossier.pdf",
                    f"/admin/dossiers/C1/surveys/{survey}/charts/dimensions.svg",
                    f"/admin/dossiers/C1/surveys/{survey}/charts/groups.svg"]
    for url in report_urls + dossier_urls:
        assert client.get(url).status_code == 200, url
    drawn = {name for name, _text in chart_wording}
    assert drawn == set(CHART_FUNCTIONS), drawn
    chinese = [(name, text) for name, text in chart_wording if HAN.search(text)]
    assert not chinese, chinese


def test_start_up_logs_what_the_chart_fonts_cannot_draw(monkeypatch, caplog):
    monkeypatch.setattr(charts, "font_families", lambda: (charts.LATIN_FAMILY,))  # no CJK font at all
    with caplog.at_level(logging.ERROR, logger="survey_app.fonts"):
        create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    messages = [record.getMessage() for record in caplog.records if record.name == "survey_app.fonts"]
    assert any("chart fonts DejaVu Sans draw no chinese" in message for message in messages), messages
    assert not any("digits" in message for message in messages)


@pytest.fixture
def pdf_font_candidates(monkeypatch):
    """Let a test change the PDF font candidates; the real choice is registered again after."""
    pdf_fonts.register_fonts.cache_clear()
    try:
        yield monkeypatch
    finally:
        monkeypatch.undo()
        pdf_fonts.register_fonts.cache_clear()
        pdf_fonts.register_fonts()


def test_start_up_logs_what_the_pdf_font_cannot_draw(pdf_font_candidates, caplog):
    latin_only = str(pdf_fonts.CODE_FONT_FILE.with_name("DejaVuSans.ttf"))
    pdf_font_candidates.setattr(pdf_fonts, "CJK_CANDIDATES", (("/nonexistent.ttf", 0), (latin_only, 0)))
    with caplog.at_level(logging.ERROR, logger="survey_app.fonts"):
        create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    messages = [record.getMessage() for record in caplog.records if record.name == "survey_app.fonts"]
    assert any("DejaVuSans.ttf draws no chinese" in message for message in messages), messages


def test_pdfs_prefer_a_font_that_draws_everything(pdf_font_candidates):
    """Droid Sans Fallback has Chinese but no digits: the bundled font must win over it."""
    latin_only = str(pdf_fonts.CODE_FONT_FILE.with_name("DejaVuSans.ttf"))
    pdf_font_candidates.setattr(pdf_fonts, "CJK_CANDIDATES", ((latin_only, 0), (str(charts.BUNDLED_FONT_FILE), 0)))
    choice = pdf_fonts.register_fonts()
    assert choice.path == str(charts.BUNDLED_FONT_FILE) and not choice.missing


def _chart_sources(page: str) -> list[str]:
    return re.findall(r'<img[^>]*src="([^"]*/charts/[^"]*)"', page)


def test_a_language_switch_never_shows_charts_cached_in_the_other_language(client, auth, rated):  # noqa: F811
    """Charts are cached by the browser for a minute: the same URL in both languages kept
    the Chinese chart on the English page."""
    auth.login("viewer", Role.VIEWER)
    survey = rated["2026"]
    pages = [f"/admin/reports/{survey}"]
    chinese = {url: _chart_sources(client.get(url).get_data(as_text=True)) for url in pages}
    subject_id = re.search(rf"/admin/reports/{survey}/subjects/(\d+)", client.get(pages[0]).get_data(as_text=True))[1]
    pages.append(f"/admin/reports/{survey}/subjects/{subject_id}")
    chinese[pages[1]] = _chart_sources(client.get(pages[1]).get_data(as_text=True))
    client.post("/locale", data={"locale": "en"})
    for url in pages:
        english = _chart_sources(client.get(url).get_data(as_text=True))
        assert english and len(english) == len(chinese[url]), url
        assert not set(english) & set(chinese[url]), (english, chinese[url])
    chart = client.get(english[0].replace("&amp;", "&"))
    assert chart.status_code == 200 and "Cookie" in chart.headers["Vary"]
