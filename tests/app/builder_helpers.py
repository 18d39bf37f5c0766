"""Counting rows and a subject's form fields, shared by the builder tests."""

from sqlalchemy import func, select

from survey_app.extensions import db


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


SUBJECT = {"subjects-key": "C9", "subjects-name": "赵敏", "subjects-kind": "cadre",
           "subjects-unit_name": "市教育局", "subjects-unit_category": "市直社会事业部门",
           "subjects-position_title": "副局长"}
