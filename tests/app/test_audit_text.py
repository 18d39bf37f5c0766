"""The audit log reads as sentences: who did what to which object, old → new (#13.7)."""

import re
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import select

from survey_app import demo
from survey_app.blueprints import code_guard
from survey_app.extensions import db
from survey_app.models import AuditEntry, SurveyStatus
from survey_app.models.assessment import PLAN_TRANSITIONS, AdjustmentKind
from survey_app.models.survey import TRANSITIONS
from survey_app.services.platform import audit_text
from survey_app.services.results import followups

PACKAGE = Path(__file__).parents[2] / "survey_app"
AUDITED = ("user", "api_token", "survey", "subject", "dimension", "scale", "scale_option", "group", "question",
           "item", "roster", "codes", "ballot", "assessment", "dossier", "followup", "text", "project", "milestone",
           "target_result", "target_sheet", "target_progress", "register")
#: What leaks when a detail is printed as Python: enum names, dicts, lists, None/True, a
#: repr's quotes, key=value, snake_case keys and dotted action names.
#: Dotted strings that are not actions (a definition's field paths in import problems).
NOT_ACTIONS = {"scale.options"}
RAW = re.compile(r"[A-Za-z]+(Kind|Status|Source)\.[A-Z]|[{}\[\]]|\bNone\b|\bTrue\b|\bFalse\b|'|=|"
                 r"\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z_]+\b")


def _recorded_actions() -> set[str]:
    """Every action name the code can record: literals, and the f-strings' expansions."""
    literal = re.compile(rf'"((?:{"|".join(AUDITED)})\.[a-z_]+)"')
    actions = set()
    for source in [*PACKAGE.glob("services/**/*.py"), *PACKAGE.glob("blueprints/**/*.py")]:
        text = source.read_text(encoding="utf-8")
        if "audit.record(" in text or "_recomputed(" in text or "recomputed_plan(" in text:
            actions |= {m for m in literal.findall(text) if not source.name.startswith("audit_text")}
    actions |= {f"survey.{step}" for step in TRANSITIONS} | {f"assessment.{step}" for step in PLAN_TRANSITIONS}
    actions |= {f"followup.{step}" for step in followups.STEPS} | {code_guard.SURGE_ACTION}
    actions |= {f"{name}.remove" for name in ("subject", "dimension", "scaleoption", "respondentgroup", "question")}
    actions |= {f"assessment.{kind.value}_{verb}" for kind in AdjustmentKind for verb in ("add", "remove")}
    return actions - NOT_ACTIONS


def test_every_action_the_code_records_has_its_own_sentence():
    actions = _recorded_actions()
    assert len(actions) > 60  # the scan finds them: a broken pattern must not pass quietly
    assert sorted(actions - set(audit_text.PHRASES)) == []


def _entry(action, target_type="survey", target_id=7, username="organizer", **detail):
    return SimpleNamespace(action=action, target_type=target_type, target_id=target_id, username=username,
                           detail=detail)


def _read(entry, app) -> str:
    with app.test_request_context():
        text = audit_text.describe(entry)
    return "\n".join((text.sentence, *text.details))


def test_the_issue_s_entries_read_as_chinese_sentences(app):
    subject = _read(_entry("subject.update", subject="自然资源局", kind="SubjectKind.UNIT"), app)
    assert subject == "organizer 修改了评议对象“自然资源局”\n类型：单位"
    grades = _read(_entry("assessment.decisions", "assessment", 3, grades={"ZRZY05": "优秀", "ZRZY06": "称职"}), app)
    assert grades == "organizer 记录了最终等次\n最终等次：ZRZY05：优秀；ZRZY06：称职"
    score = _read(_entry("assessment.score", "assessment", 3, subject="ZRZY05", component="业务实绩",
                         self_score=[None, 92.5], verified_score=[None, None], composite=[80.0, 84.25],
                         proposal=["称职", "优秀"]), app)
    assert score.splitlines() == ["organizer 录入了考核对象 ZRZY05 的“业务实绩”得分", "自评分：（空） → 92.5",
                                  "核验分：（空） → （空）", "综合得分：80 → 84.25", "建议等次：称职 → 优秀"]
    question = _read(_entry("question.add", prompt="您对本单位窗口服务的意见"), app)
    assert question == "organizer 添加了题目“您对本单位窗口服务的意见”"
    published = _read(_entry("survey.publish", status=SurveyStatus.PUBLISHED.value), app)
    assert published == "organizer 发布了评议活动\n状态：已发布"


def test_entries_follow_the_reader_s_language(app):
    entry = _entry("subject.update", subject="自然资源局", kind="SubjectKind.UNIT")
    with app.test_request_context():
        from flask import session
        session["locale"] = "en"
        text = audit_text.describe(entry)
    assert text.sentence == "organizer edited the subject “自然资源局”"
    assert text.details == ("Type: Unit",)


def test_every_entry_of_a_realistic_history_reads_without_python(app):
    """The demo's surveys, assessment plan (scores, bonuses, decisions) and dossier records."""
    with app.app_context():
        demo.seed()
        db.session.commit()
        entries = db.session.scalars(select(AuditEntry)).all()
        assert len({entry.action for entry in entries}) >= 8
        with app.test_request_context():
            texts = [(entry.action, audit_text.describe(entry)) for entry in entries]
    for action, text in texts:
        for line in (text.sentence, *text.details):
            assert not RAW.search(line.replace(text.sentence.split(" ")[0], "", 1)), (action, line)


def test_the_audit_page_shows_sentences(app, client, auth, make_survey):
    survey_id = make_survey()
    auth.login("admin")
    client.post(f"/admin/surveys/{survey_id}/subjects/add",
                data={"subjects-key": "ZRZY05", "subjects-name": "自然资源局", "subjects-kind": "unit",
                      "subjects-unit_name": "自然资源局"})
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "添加了评议对象“自然资源局”" in page
    assert "subject.add" not in page and "subject=" not in page


def test_todays_new_actions_read_as_sentences(app):
    """Sign-in, guessing alarm, 转办 and masking entries: no action name or raw key shows."""
    entries = [_entry("user.change_password", "user", 3),
               _entry("code_guessing_surge", "site", None, "system", limit="300 per 10 minutes"),
               _entry("followup.forward", "followup", 5, unit="市自然资源局", due_on="2026-12-31", survey_id=2),
               _entry("followup.decline", "followup", 5, status_before="replied", status="declined", reason="重复"),
               _entry("text.mask", "survey_text", 2, text="comment", text_id="abc", characters=3)]
    for entry in entries:
        text = _read(entry, app)
        assert entry.action not in text and not re.search(r"\b[a-z]+_[a-z_]+\b", text), text
    assert _read(entries[3], app).splitlines()[1:] == ["原状态：已答复", "状态：不予采纳", "理由：重复"]
    assert "文字类型：对象意见" in _read(entries[4], app)
