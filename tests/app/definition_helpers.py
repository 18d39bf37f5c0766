"""A small valid survey definition and row counts, shared by the definition tests."""

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (
    AuditEntry,
    Dimension,
    Question,
    RespondentGroup,
    ScaleOption,
    Subject,
    Survey,
    Unit,
)

COUNTED = (Survey, Subject, Dimension, ScaleOption, RespondentGroup, Question, Unit, AuditEntry)


def base_definition() -> dict:
    """A small valid definition in export form: 2 subjects, 2 groups, a conditional question."""
    return {
        "format_version": 1,
        "kind": "democratic",
        "year": 2026,
        "title": "2026年度民主测评",
        "instructions": "请如实评价。",
        "opens_at": "2026-03-01T09:00:00+08:00",
        "closes_at": "2026-03-15T18:00:00+08:00",
        "is_anonymous": True,
        "scale": {
            "kind": "options",
            "options": [
                {"label": "优秀", "score": 100, "is_unknown": False},
                {"label": "称职", "score": 80, "is_unknown": False},
                {"label": "不了解", "score": None, "is_unknown": True},
            ],
        },
        "rules": {
            "excellent_cap_percent": 20,
            "trim_extremes": True,
            "disagreement_gap": 15,
            "negative_share_threshold": 0.25,
            "subject_comments": True,
        },
        "dimensions": [
            {"name": "服务意识", "description": "主动服务", "weight": 0.4},
            {"name": "担当精神", "description": "", "weight": 0.6},
        ],
        "subjects": [
            {
                "key": "C1",
                "name": "张伟",
                "kind": "cadre",
                "unit": "市发展改革委",
                "unit_category": "市直经济部门",
                "position_title": "主任",
                "predecessor_key": "C0",
            },
            {
                "key": "T1",
                "name": "市发展改革委领导班子",
                "kind": "team",
                "unit": "市发展改革委",
                "unit_category": "市直经济部门",
                "position_title": "",
                "predecessor_key": None,
            },
        ],
        "groups": [
            {
                "key": "superior",
                "name": "上级",
                "weight": 0.4,
                "min_size": 3,
                "expected_count": 5,
                "subjects": "all",
            },
            {
                "key": "served",
                "name": "服务对象",
                "weight": 0.6,
                "min_size": 5,
                "expected_count": 20,
                "subjects": ["C1"],
            },
        ],
        "questions": [
            {
                "kind": "single_choice",
                "prompt": "总体评价",
                "required": True,
                "options": ["满意", "不满意"],
                "show_if": None,
            },
            {
                "kind": "long_text",
                "prompt": "不满意的原因",
                "required": False,
                "options": [],
                "show_if": {"question": 0, "values": ["不满意"]},
            },
        ],
    }


def row_counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}
