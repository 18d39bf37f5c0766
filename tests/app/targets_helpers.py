"""Shared by the indicator-system tests: the demo system's data and row counts."""

import copy
import json
from pathlib import Path

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models.target import IndicatorNode, IndicatorSystem

DEMO_FILE = Path(__file__).resolve().parents[2] / "survey_app" / "demo" / "targets_2026.json"


def demo_data() -> dict:
    """A fresh copy of the demo 考核细则 (100 points, 3 一级指标, 6 leaves, 6 methods)."""
    return copy.deepcopy(json.loads(DEMO_FILE.read_text(encoding="utf-8")))


def counts() -> tuple[int, int]:
    """(systems, nodes) stored: call inside an app context."""
    return (db.session.scalar(select(func.count()).select_from(IndicatorSystem)),
            db.session.scalar(select(func.count()).select_from(IndicatorNode)))
