"""Factories that build surveys through the services, as an organizer would."""

import secrets
from datetime import date

from survey_app.extensions import db
from survey_app.models import Ballot, QuestionKind, Rating, Role, Survey, SurveyKind, User
from survey_app.services.design import structure, surveys
from survey_app.services.platform import users
from survey_app.services.respondents import rating_pack
from survey_app.services.results import lifecycle


def _system_user() -> User:
    return users.find_user("factory") or users.create_user(
        "factory", "factory-password", Role.ADMIN
    )


class SurveyFactory:
    """`make_survey(**overrides)` → id of a draft survey with a small complete structure:
    3 cadres in 2 units, 2 dimensions, the 优秀…不称职 scale with 不了解, 2 groups
    (上级 rates all; 服务对象 rates the first two cadres), and one conditional question."""

    def __init__(self, app):
        self.app = app

    def __call__(self, publish: bool = False, **overrides) -> int:
        with self.app.app_context():
            actor = _system_user()
            data = {"kind": SurveyKind.DEMOCRATIC, "year": 2026, "title": "2026年度民主测评"}
            survey = surveys.create_survey({**data, **overrides}, actor)
            cadres = [
                structure.add_subject(survey, {"key": f"C{i}", "name": name, "unit_name": unit,
                                             "unit_category": "市直部门", "position_title": "局长"}, actor)
                for i, (name, unit) in enumerate([("张伟", "市发改委"), ("李娜", "市发改委"), ("王强", "市财政局")], 1)
            ]
            structure.add_dimension(survey, {"name": "服务意识", "weight": 1.0}, actor)
            structure.add_dimension(survey, {"name": "担当精神", "weight": 2.0}, actor)
            structure.add_group(survey, {"key": "superior", "name": "上级", "weight": 0.4, "expected_count": 5}, actor)
            structure.add_group(
                survey,
                {"key": "served", "name": "服务对象", "weight": 0.6, "expected_count": 20,
                 "rates_all_subjects": False},
                actor,
                subject_ids=[cadres[0].id, cadres[1].id],
            )
            overall = structure.add_question(
                survey, {"kind": QuestionKind.SINGLE_CHOICE, "prompt": "总体评价",
                         "options": ["满意", "不满意"]}, actor)
            structure.add_question(
                survey, {"kind": QuestionKind.LONG_TEXT, "prompt": "不满意的原因",
                         "show_if_question_id": overall.id, "show_if_values": ["不满意"]}, actor)
            if publish:
                lifecycle.change_status(survey, "publish", actor)
            db.session.commit()
            return survey.id


def cast(app, survey_id, group_key, ratings):
    """Store one ballot directly: ratings maps subject key → option labels, one per dimension
    (None for 不了解)."""
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        group = next(g for g in survey.groups if g.key == group_key)
        options = {o.label: o for o in survey.scale_options}
        ballot = Ballot(id=secrets.token_urlsafe(16), survey_id=survey.id, group_id=group.id,
                        submitted_on=date(2026, 11, 24))
        subjects = {s.key: s for s in survey.subjects}
        for key, labels in ratings.items():
            for dimension, label in zip(survey.dimensions, labels, strict=True):
                option = options[label or "不了解"]
                ballot.ratings.append(Rating(subject_id=subjects[key].id, dimension_id=dimension.id,
                                             option_id=option.id, score=option.score))
        # As the submission path does: the packed copy the results read.
        ballot.ratings_packed = rating_pack.pack(
            [(r.subject_id, r.dimension_id, r.option_id, r.score) for r in ballot.ratings])
        db.session.add(ballot)
        db.session.commit()
