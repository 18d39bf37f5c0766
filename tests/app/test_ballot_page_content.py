"""What the phone ballot tells a respondent, with and without JavaScript: dimension
descriptions, 位 or 个, the 优秀 cap refusal marked where it applies, question numbers over
the questions that apply, screen-reader names of the radio groups, and its weight."""

import gzip
import re
from html.parser import HTMLParser

import pytest

from survey_app.extensions import db
from survey_app.models import QuestionKind, SubjectKind, Survey
from survey_app.services.design import structure
from survey_app.services.results import lifecycle
from tests.app.factories import _system_user
from tests.app.respondent_helpers import (
    DIMENSION_DESCRIPTION,
    complete_values,
    form_data,
    ids,
    issue_codes,
    make_big_survey,
)

BUDGET = 30 * 1024


def _page(client, app, survey_id, group_key="superior") -> str:
    code = issue_codes(app, survey_id, group_key=group_key, count=1)[0]
    return client.get(f"/s/{code}").text


def _draft_then_publish(app, survey_id, change) -> None:
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        change(survey, _system_user())
        lifecycle.change_status(survey, "publish", _system_user())
        db.session.commit()


# ---- descriptions -----------------------------------------------------------------------


def test_dimension_descriptions_reach_the_respondent_in_every_card(app, client, make_survey):
    survey_id = make_survey()

    def describe(survey, actor):
        structure.update_dimension(survey.dimensions[0], {"description": "是否主动服务、热情周到"}, actor)

    _draft_then_publish(app, survey_id, describe)
    html = _page(client, app, survey_id)
    # Three cadres: the described dimension opens its description in each card; the
    # other dimension, without one, offers nothing to open.
    assert html.count("<details>") == 3
    assert html.count('<p class="desc">是否主动服务、热情周到</p>') == 3
    assert re.search(r'<summary class="dn"><span id="l[^"]+">服务意识</span>', html)
    assert re.search(r'<p class="dn"><span id="l[^"]+">担当精神</span></p>', html)


# ---- 位 / 个 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ([SubjectKind.CADRE] * 3, "共 3 位评议对象"),
        ([SubjectKind.UNIT, SubjectKind.UNIT, SubjectKind.TEAM], "共 3 个评议对象"),
        ([SubjectKind.TEAM, SubjectKind.CADRE, SubjectKind.CADRE], "共 3 个评议对象，其中干部 2 位"),
    ],
)
def test_subject_count_says_wei_for_people_and_ge_for_units(app, client, make_survey, kinds, expected):
    survey_id = make_survey()

    def set_kinds(survey, _actor):
        for subject, kind in zip(survey.subjects, kinds, strict=True):
            subject.kind = kind  # the builder sets kinds from the roster; here directly

    _draft_then_publish(app, survey_id, set_kinds)
    html = _page(client, app, survey_id)
    assert expected in html
    assert sum(phrase in html for phrase in ("位评议对象", "个评议对象")) == 1


# ---- the cap refusal without JavaScript ---------------------------------------------------


def _cap_breaking_values(app, survey_id):
    """Every rating 称职 but two cadres 优秀 in 服务意识 (3 cadres at 34%: one allowed)."""
    parts = ids(app, survey_id)
    values = complete_values(app, survey_id)
    service = parts["dimensions"][0]
    for subject_id in parts["subjects"][:2]:
        values[f"r-{subject_id}-{service}"] = [str(parts["options"]["优秀"])]
    return values, parts


def _rows(html: str) -> dict[str, str]:
    """Rating key → the class attribute of its row."""
    return dict((key, cls) for cls, key in re.findall(r'<div class="(dim[^"]*)" data-key="(r-[^"]+)"', html))


def test_cap_refusal_marks_the_ratings_over_the_cap_so_its_message_is_true(app, client, make_survey):
    survey_id = make_survey(publish=True, excellent_cap_percent=34)
    values, parts = _cap_breaking_values(app, survey_id)
    code = issue_codes(app, survey_id, count=1)[0]
    response = client.post(f"/s/{code}", data=form_data(values))
    assert response.status_code == 422
    html = response.text
    assert "答卷有 1 处需要修改，已在下方用红色标出" in html
    assert "评为“优秀”的最多 1 人" in html  # the rule, in the alert
    service, other = parts["dimensions"]
    rows = _rows(html)
    first, second, third = parts["subjects"]
    assert rows[f"r-{first}-{service}"] == rows[f"r-{second}-{service}"] == "dim bad over"
    assert rows[f"r-{third}-{service}"] == "dim"  # 称职: not part of the problem
    assert all(rows[f"r-{s}-{other}"] == "dim" for s in parts["subjects"])
    assert html.count("此项评为“优秀”，超出本维度的名额，请调整") == 2
    # The answers are all still there: each chosen radio comes back checked.
    assert len(re.findall(r"<input [^>]*\bchecked\b", html)) == len(values)  # 6 ratings, 总体评价


def test_a_refusal_with_nothing_to_mark_does_not_point_below(app, client, make_survey):
    survey_id = make_survey(publish=True)
    values = {**complete_values(app, survey_id), "q-999999": ["x"]}  # not of this survey
    code = issue_codes(app, survey_id, count=1)[0]
    html = client.post(f"/s/{code}", data=form_data(values)).text
    assert "答卷包含不属于本问卷的内容" in html
    assert "已在下方用红色标出" not in html and "答卷没有提交成功" in html
    assert "bad" not in "".join(_rows(html).values())


# ---- question numbers ---------------------------------------------------------------------


def _numbers(html: str) -> list[str]:
    return re.findall(r'<span class="qn">([^<]*)</span>', html)


def test_questions_are_numbered_over_the_questions_that_apply(app, client, make_survey):
    survey_id = make_survey()  # 总体评价, then 不满意的原因 only when 不满意

    def add_last(survey, actor):
        structure.add_question(survey, {"kind": QuestionKind.SHORT_TEXT, "prompt": "您的联系方式"}, actor)

    _draft_then_publish(app, survey_id, add_last)
    assert _numbers(_page(client, app, survey_id)) == ["1. ", "", "2. "]

    # Refused (a rating missing) with 不满意 chosen: the reason applies and is numbered.
    values = complete_values(app, survey_id)
    values.pop(next(iter(values)))
    overall = ids(app, survey_id)["questions"][0]
    values[f"q-{overall}"] = ["不满意"]
    code = issue_codes(app, survey_id, count=1)[0]
    response = client.post(f"/s/{code}", data=form_data(values))
    assert response.status_code == 422
    assert _numbers(response.text) == ["1. ", "2. ", "3. "]


# ---- screen readers -----------------------------------------------------------------------


class _Groups(HTMLParser):
    """Collects each radio group's aria-labelledby and the text of every element by id."""

    def __init__(self):
        super().__init__()
        self.groups: list[tuple[str, str]] = []
        self.text: dict[str, str] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("role") in ("radiogroup", "group"):
            self.groups.append((attrs["role"], attrs.get("aria-labelledby", "")))
        if tag not in ("input", "br", "wbr", "meta", "link"):
            self._open.append(attrs.get("id"))
            if attrs.get("id"):
                self.text[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if tag not in ("input", "br", "wbr", "meta", "link") and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id:
                self.text[element_id] += data


def test_each_rating_is_a_radio_group_named_by_subject_and_dimension(app, client, make_survey):
    html = _page(client, app, make_survey(publish=True))
    parser = _Groups()
    parser.feed(html)
    names = [" ".join(parser.text[part] for part in labelled_by.split())
             for role, labelled_by in parser.groups if role == "radiogroup"]
    expected = [f"{cadre} {dimension}" for cadre in ("张伟", "李娜", "王强") for dimension in ("服务意识", "担当精神")]
    assert names[:6] == expected
    assert names[6].startswith("1. 总体评价")  # the extra question's options, by its prompt
    assert 'id="progress" class="progress" aria-live="polite"' in html
    assert 'id="caps" class="sr" aria-live="polite"' in html


# ---- weight -------------------------------------------------------------------------------


def test_a_30_by_4_ballot_with_descriptions_stays_under_30_kb_gzipped(app, client):
    survey_id = make_big_survey(app, descriptions=True)
    code = issue_codes(app, survey_id, group_key="staff", count=1)[0]
    page = client.get(f"/s/{code}", headers={"Accept-Encoding": "gzip"})
    html = gzip.decompress(page.data).decode()
    assert html.count(DIMENSION_DESCRIPTION) == 30 * 4 and html.count('role="radiogroup"') >= 30 * 4
    transferred = len(page.data)
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        transferred += len(client.get(url, headers={"Accept-Encoding": "gzip"}).data)
    print(f"30×4 ballot with descriptions, page + CSS + JS gzipped: {transferred} bytes")
    assert transferred <= BUDGET
