"""Helpers shared by the respondent tests: issue codes, build complete submissions."""

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Ballot, Survey
from survey_app.services.design import structure, surveys
from survey_app.services.respondents import codes
from survey_app.services.respondents.ballot_rules import ballot_structure, question_key, rating_key
from survey_app.services.results import lifecycle


def publish_with_score_scale(app, survey_id: int) -> None:
    """Switch a draft survey to the typed 0–100 score scale and publish it."""
    from tests.app.factories import _system_user

    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        structure.use_score_scale(survey, _system_user())
        lifecycle.change_status(survey, "publish", _system_user())
        db.session.commit()


def issue_codes(app, survey_id: int, group_key: str = "superior", count: int = 3) -> list[str]:
    """Issue codes for a group and return them in clear."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        issued = codes.issue_batch(survey, codes.find_group(survey, group_key), count, actor=None)
        db.session.commit()
        return issued.codes


def complete_values(app, survey_id: int, group_key: str = "superior", label: str = "称职") -> dict[str, list[str]]:
    """Return a valid submission: every rating `label`, 总体评价 满意."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        structure = ballot_structure(survey, codes.find_group(survey, group_key))
        option = next(o for o in structure.options if o.label == label)
        values = {
            rating_key(s.id, d.id): [str(option.id)] for s in structure.subjects for d in structure.dimensions
        }
        values[question_key(structure.questions[0].id)] = ["满意"]
        return values


def ids(app, survey_id: int) -> dict:
    """Return ids of the factory survey's parts by name, for building bad input."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        return {
            "subjects": [s.id for s in survey.subjects],
            "dimensions": [d.id for d in survey.dimensions],
            "options": {o.label: o.id for o in survey.scale_options},
            "questions": [q.id for q in survey.questions],
        }


def ballot_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Ballot))


def form_data(values: dict[str, list[str]], key: str = "k" * 22) -> dict:
    """Return test-client form data (lists become repeated fields)."""
    return {**values, "idempotency_key": key}


#: What an organizer writes under a dimension (给评议人看的说明), about this long.
DIMENSION_DESCRIPTION = "看是否主动靠前服务、热情周到，群众和企业办事是否方便快捷，有没有推诿扯皮、门难进脸难看的情况。"


def make_big_survey(app, subjects: int = 30, dimensions: int = 4, *, descriptions: bool = False) -> int:
    """Publish a survey of `subjects` cadres × `dimensions` dimensions × 5 options (each
    dimension with a description of realistic length when `descriptions`)."""
    from survey_app.models import QuestionKind, Role, SurveyKind
    from survey_app.services.design import structure
    from survey_app.services.platform import users

    with app.app_context():
        actor = users.find_user("big") or users.create_user("big", "big-survey-password", Role.ADMIN)
        survey = surveys.create_survey(
            {"kind": SurveyKind.DEMOCRATIC, "year": 2026, "title": "2026年度市直单位领导班子和领导干部民主测评",
             "instructions": "请根据日常了解，对下列领导干部逐项评价。", "excellent_cap_percent": 20},
            actor,
        )
        for i in range(subjects):
            structure.add_subject(survey, {"key": f"K{i}", "name": f"干部{i:02d}号", "unit_name": f"市直单位{i % 6}",
                                         "position_title": "副局长"}, actor)
        for name in ["服务意识", "担当精神", "解决实际问题", "廉洁自律", "工作作风", "团结协作"][:dimensions]:
            structure.add_dimension(survey, {"name": name, "description": DIMENSION_DESCRIPTION if descriptions else ""},
                                  actor)
        structure.add_group(survey, {"key": "staff", "name": "本单位干部职工", "expected_count": 200}, actor)
        structure.add_question(survey, {"kind": QuestionKind.SINGLE_CHOICE, "prompt": "对本单位领导班子总体评价",
                                      "options": ["好", "较好", "一般", "差"]}, actor)
        structure.add_question(survey, {"kind": QuestionKind.LONG_TEXT, "prompt": "意见和建议"}, actor)
        lifecycle.change_status(survey, "publish", actor)
        db.session.commit()
        return survey.id
