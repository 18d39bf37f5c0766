"""意见与答案: extra questions' tallies and statistics, open answers and per-subject
comments on the page and in every export, small groups withheld, shuffled order, masking
of personal data, and the unit scope."""

import csv
import hashlib
import io
import secrets
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (
    Answer,
    AuditEntry,
    Ballot,
    QuestionKind,
    Rating,
    Role,
    Subject,
    SubjectComment,
    Survey,
    TextRedaction,
    Unit,
)
from survey_app.services.design import structure
from survey_app.services.platform import api_tokens, users
from survey_app.services.respondents import rating_pack
from survey_app.services.results import lifecycle
from survey_app.services.results.redaction import auto_redact
from tests.app.documents import pdf_text_or_skip
from tests.app.factories import _system_user

PHONE_TEXT = "请联系我13812345678，身份证110101199003071234，邮箱 li.si@example.com，座机0571-88886666"


def add_ballot(app, survey_id: int, group_key: str, answers=None, comments=None) -> None:
    """Store one ballot directly: every subject the group rates gets 称职 on each
    dimension; `answers` maps a question prompt to its values, `comments` a subject key to a text."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        group = next(g for g in survey.groups if g.key == group_key)
        option = next(o for o in survey.scale_options if o.label == "称职")
        ballot = Ballot(id=secrets.token_urlsafe(16), survey_id=survey.id, group_id=group.id,
                        submitted_on=date(2026, 11, 24))
        for subject in group.subjects_to_rate():
            for dimension in survey.dimensions:
                ballot.ratings.append(Rating(subject_id=subject.id, dimension_id=dimension.id,
                                             option_id=option.id, score=option.score))
        ballot.ratings_packed = rating_pack.pack(
            [(r.subject_id, r.dimension_id, r.option_id, r.score) for r in ballot.ratings])
        questions = {q.prompt: q for q in survey.questions}
        for prompt, values in (answers or {}).items():
            question = questions[prompt]
            for value in values:
                number = question.kind is QuestionKind.NUMBER
                ballot.answers.append(Answer(id=secrets.token_urlsafe(16), question_id=question.id,
                                             value_text=None if number else value,
                                             value_number=float(value) if number else None))
        subjects = {s.key: s for s in survey.subjects}
        db.session.add(ballot)
        db.session.flush()
        for key, text in (comments or {}).items():
            db.session.add(SubjectComment(id=secrets.token_urlsafe(16), ballot_id=ballot.id,
                                          subject_id=subjects[key].id, text=text))
        db.session.commit()


@pytest.fixture
def survey_id(app, make_survey):
    """The factory's survey (上级 rate all three cadres, 服务对象 only C1 and C2, minimum
    size 3) with comment boxes and three more questions; 4 superiors and 2 served answered."""
    survey_id = make_survey(subject_comments=True)
    with app.app_context():
        survey, actor = db.session.get(Survey, survey_id), _system_user()
        structure.add_question(survey, {"kind": QuestionKind.MULTIPLE_CHOICE, "prompt": "最关注的方面",
                                      "options": ["作风", "效率", "廉洁"]}, actor)
        structure.add_question(survey, {"kind": QuestionKind.NUMBER, "prompt": "一年来办事次数"}, actor)
        structure.add_question(survey, {"kind": QuestionKind.SHORT_TEXT, "prompt": "其他建议"}, actor)
        lifecycle.change_status(survey, "publish", actor)
        db.session.commit()
    superiors = [
        ({"总体评价": ["满意"], "最关注的方面": ["作风", "效率"], "一年来办事次数": [2], "其他建议": ["窗口服务要提速"]},
         {"C1": "张伟同志担当有为", "C3": "王强工作扎实"}),
        ({"总体评价": ["满意"], "最关注的方面": ["作风"], "一年来办事次数": [4], "其他建议": [PHONE_TEXT]},
         {"C1": "希望多下基层"}),
        ({"总体评价": ["不满意"], "不满意的原因": ["审批太慢"], "最关注的方面": ["廉洁"], "一年来办事次数": [6]},
         {}),
        ({"总体评价": ["满意"], "一年来办事次数": [8], "其他建议": ["=HYPERLINK(\"http://x\")"]}, {}),
    ]
    for answers, comments in superiors:
        add_ballot(app, survey_id, "superior", answers, comments)
    for i in range(2):  # 服务对象: two respondents, below the minimum of three
        add_ballot(app, survey_id, "served",
                   {"总体评价": ["不满意"], "不满意的原因": [f"服务对象的原因{i}"], "一年来办事次数": [100],
                    "其他建议": [f"服务对象的建议{i}"]},
                   {"C1": f"服务对象对张伟的意见{i}"})
    return survey_id


def unit_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Unit.id).where(Unit.name == name))


def page(client, survey_id, **params) -> str:
    response = client.get(f"/admin/answers/{survey_id}", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def comment_id(app, text: str) -> str:
    with app.app_context():
        return db.session.scalar(select(SubjectComment.id).where(SubjectComment.text == text))


def answer_id(app, text: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Answer.id).where(Answer.value_text == text))


# ---- the page ---------------------------------------------------------------------------------


def test_results_page_links_to_answers(client, auth, survey_id):
    auth.login("viewer", Role.VIEWER)
    html = client.get(f"/admin/reports/{survey_id}").get_data(as_text=True)
    assert f'href="/admin/answers/{survey_id}"' in html and "意见与答案" in html


def test_page_shows_tallies_statistics_answers_and_comments(client, auth, survey_id):
    auth.login("viewer", Role.VIEWER)
    html = page(client, survey_id)
    # 总体评价 among the 4 superiors: 满意 3 (75.0%), 不满意 1; the total counts only them.
    assert "选择题统计" in html and "75.0%" in html and "25.0%" in html
    # 最关注的方面 (multiple choice): 作风 chosen by 2 of the 3 who answered.
    assert "66.7%" in html
    # 一年来办事次数 among superiors 2, 4, 6, 8: mean 5, median 5, quartiles 3.5 and 6.5.
    assert "3.5" in html and "6.5" in html
    assert "窗口服务要提速" in html and "审批太慢" in html
    assert "张伟同志担当有为" in html and "希望多下基层" in html and "王强工作扎实" in html
    assert f'/admin/answers/{survey_id}/questions/' in html


def test_a_group_below_its_minimum_is_withheld_with_a_note(client, auth, survey_id):
    auth.login("viewer", Role.VIEWER)
    html = page(client, survey_id)
    assert "服务对象的原因" not in html and "服务对象的建议" not in html and "服务对象对张伟的意见" not in html
    assert "100" not in html.split("一年来办事次数", 1)[1].split("</section>", 1)[0]  # its numbers are left out
    assert "另有 2 条回答来自人数少于最低人数的评议主体（服务对象）" in html
    # Nowhere a 服务对象 column: the group is not shown on its own.
    tally = html.split("choice-tally", 1)[1].split("</table>", 1)[0]
    assert "服务对象" not in tally


def test_a_conditional_question_does_not_count_a_small_groups_answers(app, client, auth, survey_id):
    """不满意的原因 appears only after 不满意: a count of 服务对象's answers to it would be
    their number of 不满意, which the withheld tally of 总体评价 hides."""
    auth.login("viewer", Role.VIEWER)
    html = page(client, survey_id)
    reasons = html.split("不满意的原因", 1)[1].split("</section>", 1)[0]
    assert "审批太慢" in reasons and "另有" not in reasons and "服务对象" not in reasons
    assert "为保护匿名不显示条数" in reasons
    with app.app_context():
        user = users.create_user("integrator", "correct horse battery", Role.VIEWER)
        _row, token = api_tokens.create_token(user, "干部管理系统")
        db.session.commit()
    body = client.get(f"/api/v1/surveys/{survey_id}/results", headers={"Authorization": f"Bearer {token}"}).get_json()
    conditional = next(q for q in body["answers"]["text_questions"] if q["prompt"] == "不满意的原因")
    assert conditional["withheld"] == {"count": None, "groups": []}
    text = pdf_text_or_skip(client.get(f"/admin/reports/{survey_id}/export.pdf").data)
    assert "为保护匿名不显示条数" in text


def test_texts_are_shuffled_stably_not_in_submission_order(app, client, auth, make_survey):
    survey_id = make_survey(publish=True, subject_comments=True)
    texts = [f"第{i:02d}条意见" for i in range(12)]
    for text in texts:  # submitted in this order
        add_ballot(app, survey_id, "superior", comments={"C1": text})
    auth.login("viewer", Role.VIEWER)
    html = page(client, survey_id)
    shown = sorted(texts, key=html.index)
    assert shown != texts and shown != texts[::-1]
    assert sorted(texts, key=page(client, survey_id).index) == shown  # stable
    with app.app_context():
        rows = db.session.execute(select(SubjectComment.id, SubjectComment.text)).all()
    by_key = sorted(rows, key=lambda r: hashlib.sha256(f"{survey_id}:{r[0]}".encode()).hexdigest())
    assert [text for _id, text in by_key] == shown


def test_search_finds_texts_by_their_shown_form_only(client, auth, survey_id):
    auth.login("admin", Role.ADMIN)
    html = page(client, survey_id, q="下基层")
    assert "希望多下基层" in html and "张伟同志担当有为" not in html and "窗口服务要提速" not in html
    # A masked phone number is not searchable, not even by an administrator.
    assert "请联系我" not in page(client, survey_id, q="13812345678")


# ---- masking ----------------------------------------------------------------------------------


def test_personal_data_is_masked_automatically_everywhere(app, client, auth, survey_id):
    auth.login("organizer", Role.ORGANIZER)
    html = page(client, survey_id)
    assert "请联系我＊＊＊，身份证＊＊＊，邮箱 ＊＊＊，座机＊＊＊" in html
    for secret in ("13812345678", "110101199003071234", "li.si@example.com", "88886666"):
        assert secret not in html
        assert secret not in client.get(f"/admin/answers/{survey_id}/texts.csv").data.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(client.get(f"/admin/reports/{survey_id}/export.xlsx").data))
    cells = [str(c) for row in book["文字意见"].iter_rows(values_only=True) for c in row]
    assert any("请联系我＊＊＊" in c for c in cells) and not any("13812345678" in c for c in cells)


def test_administrator_sees_the_original_but_exports_stay_masked(app, client, auth, survey_id):
    auth.login("admin", Role.ADMIN)
    html = page(client, survey_id)
    assert "原文（仅管理员可见）" in html and PHONE_TEXT in html
    csv_text = client.get(f"/admin/answers/{survey_id}/texts.csv").data.decode("utf-8-sig")
    assert "13812345678" not in csv_text and "请联系我＊＊＊" in csv_text
    auth.logout()
    auth.login("organizer", Role.ORGANIZER)
    assert PHONE_TEXT not in page(client, survey_id) and "原文（仅管理员可见）" not in page(client, survey_id)


def test_organizer_masks_a_name_by_hand_and_the_audit_does_not_repeat_it(app, client, auth, survey_id):
    auth.login("organizer", Role.ORGANIZER)
    target = comment_id(app, "张伟同志担当有为")
    response = client.post(f"/admin/answers/{survey_id}/texts/comment/{target}/mask", data={"fragment": "张伟"})
    assert response.status_code == 302
    html = page(client, survey_id)
    assert "＊＊＊同志担当有为" in html and "张伟同志担当有为" not in html
    book = load_workbook(io.BytesIO(client.get(f"/admin/reports/{survey_id}/export.xlsx").data))
    cells = [str(c) for row in book["文字意见"].iter_rows(values_only=True) for c in row]
    assert "＊＊＊同志担当有为" in cells
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "text.mask")).one()
        assert entry.username == "organizer" and "张伟" not in str(entry.detail)
        assert db.session.scalars(select(SubjectComment.text).where(SubjectComment.id == target)).one() \
            == "张伟同志担当有为"  # the record itself is never changed


def test_admin_undoes_a_manual_mask_and_others_cannot(app, client, auth, survey_id):
    target = comment_id(app, "希望多下基层")
    auth.login("organizer", Role.ORGANIZER)
    client.post(f"/admin/answers/{survey_id}/texts/comment/{target}/mask", data={"fragment": "基层"})
    assert client.post(f"/admin/answers/{survey_id}/texts/comment/{target}/unmask").status_code == 403
    auth.logout()
    auth.login("admin", Role.ADMIN)
    assert client.post(f"/admin/answers/{survey_id}/texts/comment/{target}/unmask").status_code == 302
    auth.logout()
    auth.login("organizer", Role.ORGANIZER)
    assert "希望多下基层" in page(client, survey_id)


@pytest.mark.parametrize("fragment, message", [
    ("", "请选中或输入要遮盖的文字"),
    ("不存在的文字", "在这条意见中找不到所选文字"),
    ("13812345678", "在这条意见中找不到所选文字"),  # hidden by the automatic mask: no oracle
    ("＊＊＊", "所选文字已包含遮盖部分"),
    ("长" * 101, "一次最多遮盖 100 个字"),
])
def test_bad_mask_is_refused_with_a_message_and_stores_nothing(app, client, auth, survey_id, fragment, message):
    auth.login("organizer", Role.ORGANIZER)
    target = answer_id(app, PHONE_TEXT)
    response = client.post(f"/admin/answers/{survey_id}/texts/answer/{target}/mask", data={"fragment": fragment},
                           follow_redirects=True)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TextRedaction)) == 0


def test_viewers_cannot_mask_and_withheld_texts_cannot_be_touched(app, client, auth, survey_id):
    auth.login("viewer", Role.VIEWER)
    shown = comment_id(app, "希望多下基层")
    assert client.post(f"/admin/answers/{survey_id}/texts/comment/{shown}/mask",
                       data={"fragment": "基层"}).status_code == 403
    auth.logout()
    auth.login("organizer", Role.ORGANIZER)
    withheld = comment_id(app, "服务对象对张伟的意见0")
    assert client.post(f"/admin/answers/{survey_id}/texts/comment/{withheld}/mask",
                       data={"fragment": "张伟"}).status_code == 404
    assert client.post(f"/admin/answers/{survey_id}/texts/comment/{withheld}/forward",
                       data={"unit_id": unit_id(app, "市发改委"), "due_on": "2099-01-01"}).status_code == 404


# ---- exports and API --------------------------------------------------------------------------


def test_workbook_has_choice_and_text_sheets_with_formulas_neutralised(client, auth, survey_id):
    auth.login("viewer", Role.VIEWER)
    book = load_workbook(io.BytesIO(client.get(f"/admin/reports/{survey_id}/export.xlsx").data))
    assert {"选择题统计", "文字意见"} <= set(book.sheetnames)
    choices = list(book["选择题统计"].iter_rows(values_only=True))
    assert choices[0][:5] == ("题目", "题型", "选项", "上级·人次", "上级·占比")
    satisfied = next(row for row in choices if row[:3] == ("总体评价", "单选", "满意"))
    assert satisfied[3:7] == (3, 0.75, 3, 0.75)
    assert any(row[0] == "一年来办事次数" and row[1] == "合计" and row[2] == 4 and row[3] == 5 for row in choices)
    assert not any("服务对象" in str(c) for row in choices for c in row if c and "另有" not in str(c))
    texts = list(book["文字意见"].iter_rows(values_only=True))
    cells = [str(c) for row in texts for c in row]
    assert "窗口服务要提速" in cells and "张伟同志担当有为" in cells
    assert "'=HYPERLINK(\"http://x\")" in cells  # formula injection neutralised
    assert not any("服务对象的" in c and "另有" not in c for c in cells)


def test_csv_lists_shown_texts_without_ballot_numbers(client, auth, survey_id):
    auth.login("viewer", Role.VIEWER)
    response = client.get(f"/admin/answers/{survey_id}/texts.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["类别", "题目或评议对象", "评议主体", "内容（已遮盖个人信息）"]
    assert ["意见建议", "张伟", "上级", "张伟同志担当有为"] in rows
    assert ["问卷题目", "其他建议", "上级", "'=HYPERLINK(\"http://x\")"] in rows
    assert not any("服务对象" in cell for row in rows for cell in row)
    assert len(rows) == 1 + 4 + 3  # the superiors' 4 answers (3 其他建议, 1 原因) and 3 comments


def test_pdf_has_an_appendix_of_answers_and_comments(client, auth, survey_id):
    auth.login("viewer", Role.VIEWER)
    text = pdf_text_or_skip(client.get(f"/admin/reports/{survey_id}/export.pdf").data)
    assert "附录" in text and "窗口服务要提速" in text and "张伟同志担当有为" in text
    assert "13812345678" not in text and "服务对象的建议" not in text
    assert "另有 2 条回答" in text


def test_results_api_carries_the_answers_masked(app, client, survey_id):
    with app.app_context():
        user = users.create_user("integrator", "correct horse battery", Role.VIEWER)
        _row, token = api_tokens.create_token(user, "干部管理系统")
        db.session.commit()
    body = client.get(f"/api/v1/surveys/{survey_id}/results", headers={"Authorization": f"Bearer {token}"}).get_json()
    answers = body["answers"]
    overall = next(q for q in answers["choice_questions"] if q["prompt"] == "总体评价")
    assert overall["groups"] == [{"label": "上级", "respondents": 4, "counts": [3, 1]}]
    assert overall["total"] == {"respondents": 4, "counts": [3, 1]}
    assert overall["withheld"] == {"count": 2, "groups": ["服务对象"]}
    number = answers["number_questions"][0]
    assert number["total"]["n"] == 4 and number["total"]["mean"] == 5 and number["total"]["q1"] == 3.5
    suggestion = next(q for q in answers["text_questions"] if q["prompt"] == "其他建议")
    texts = [a["text"] for a in suggestion["answers"]]
    assert "窗口服务要提速" in texts and not any("13812345678" in t for t in texts)
    c1 = next(c for c in answers["subject_comments"] if c["key"] == "C1")
    assert sorted(c["text"] for c in c1["comments"]) == sorted(["张伟同志担当有为", "希望多下基层"])


# ---- unit scope ------------------------------------------------------------------------------


def test_scoped_user_sees_only_comments_on_their_units_subjects(app, client, auth, survey_id):
    auth.create_user("ndrc", Role.VIEWER, unit_ids=[unit_id(app, "市发改委")])
    auth.login("ndrc")
    html = page(client, survey_id)
    assert "张伟同志担当有为" in html and "王强工作扎实" not in html  # 王强 is in 市财政局
    # Survey-wide texts cannot be scoped: not shown, with the reason; tallies are.
    assert "窗口服务要提速" not in html and "全卷性题目的文字回答不按单位划分" in html
    assert "75.0%" in html
    rows = client.get(f"/admin/answers/{survey_id}/texts.csv").data.decode("utf-8-sig")
    assert "张伟同志担当有为" in rows and "王强工作扎实" not in rows and "窗口服务要提速" not in rows
    finance_comment = comment_id(app, "王强工作扎实")
    auth.logout()
    auth.create_user("ndrc-organizer", Role.ORGANIZER, unit_ids=[unit_id(app, "市发改委")])
    auth.login("ndrc-organizer")
    assert client.post(f"/admin/answers/{survey_id}/texts/comment/{finance_comment}/mask",
                       data={"fragment": "王强"}).status_code == 404


def test_survey_outside_the_scope_is_404(app, client, auth, survey_id):
    with app.app_context():
        other = Unit(name="市外单位", category="其他")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    auth.create_user("outsider", Role.VIEWER, unit_ids=[other_id])
    auth.login("outsider")
    assert client.get(f"/admin/answers/{survey_id}").status_code == 404
    assert client.get(f"/admin/answers/{survey_id}/texts.csv").status_code == 404


def test_subject_page_shows_its_comments_masked_and_shuffled(app, client, auth, survey_id):
    auth.login("viewer", Role.VIEWER)
    with app.app_context():
        c1 = db.session.scalar(select(Subject.id).where(Subject.key == "C1", Subject.survey_id == survey_id))
    html = client.get(f"/admin/reports/{survey_id}/subjects/{c1}").get_data(as_text=True)
    assert "张伟同志担当有为" in html and "希望多下基层" in html and "服务对象对张伟的意见" not in html
    assert "另有 2 条回答" in html


def test_page_and_workbook_speak_english_when_chosen(client, auth, survey_id):
    auth.login("viewer", Role.VIEWER)
    client.post("/locale", data={"locale": "en"})
    html = page(client, survey_id)
    assert "Answers and comments" in html and "Total" in html and "Respondents" in html
    assert "more answers come from groups below their minimum size (服务对象)" in html
    book = load_workbook(io.BytesIO(client.get(f"/admin/reports/{survey_id}/export.xlsx").data))
    assert {"Choice questions", "Written comments"} <= set(book.sheetnames)


@pytest.mark.parametrize("text, shown", [
    ("电话13812345678", "电话＊＊＊"),
    ("电话 +86 138 1234 5678 找我", "电话 ＊＊＊ 找我"),
    ("手机１３９１２３４５６７８", "手机＊＊＊"),  # full-width digits, as a Chinese IME types them
    ("座机(0571)88886666转123", "座机＊＊＊"),
    ("座机 010-12345678", "座机 ＊＊＊"),
    ("身份证11010119900307123X", "身份证＊＊＊"),
    ("老身份证110101900307123", "老身份证＊＊＊"),
    ("邮箱 zhang.san+a@mail.example.gov.cn 联系", "邮箱 ＊＊＊ 联系"),
    # Ordinary numbers stay: years, counts, amounts, a short phone extension.
    ("2026年办了3次，花了12345元，分机8801", "2026年办了3次，花了12345元，分机8801"),
])
def test_automatic_masking_patterns(text, shown):
    assert auto_redact(text) == shown
