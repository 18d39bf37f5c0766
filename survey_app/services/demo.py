"""The demo a newcomer sees after `make run`: realistic surveys and an admin account.

The surveys are definition files in survey_app/demo/, imported like any other:
last year's 服务质量评议 (closed, for year-on-year comparisons), this year's
服务质量评议 of 20 cadres in 6 units and the 民主测评 of 市发展改革委领导班子 (both published).
"""

import json
import random
from pathlib import Path

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Role, Survey, User
from survey_app.services import assessments, ballots, definitions, surveys, users

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
ADMIN_USERNAME = "admin"
#: Demo definition files, imported in this order, with the lifecycle steps each then takes
#: ("ballots": fill with simulated ballots through the real submission path).
DEMO_SURVEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("service_quality_2025.json", ("publish", "ballots", "close")),
    ("service_quality_2026.json", ("publish", "ballots")),
    ("democratic_2026.json", ("publish", "ballots")),
)
#: Seeds the simulated ballots, so every newcomer sees the same demo results.
DEMO_SEED = 2026


def seed() -> str | None:
    """Create the admin account and demo surveys once; return the new admin password.

    Does nothing (and returns None) when the database already holds any survey. When the
    admin account already exists it is kept and None is returned.
    """
    if db.session.scalar(select(func.count()).select_from(Survey)):
        return None
    admin, password = _admin_account()
    rng = random.Random(DEMO_SEED)
    for file_name, steps in DEMO_SURVEYS:
        survey = definitions.import_definition(load_demo_definition(file_name), admin)
        for action in steps:
            if action == "ballots":
                ballots.simulate_ballots(survey, None, rng)
            else:
                surveys.change_status(survey, action, admin)
    assessments.seed_demo_plan(admin)
    return password


def load_demo_definition(file_name: str) -> dict:
    """Return one demo definition file's data."""
    return json.loads((DEMO_DIR / file_name).read_text(encoding="utf-8"))


def _admin_account() -> tuple[User, str | None]:
    admin = users.find_user(ADMIN_USERNAME)
    if admin is not None:
        return admin, None
    password = users.generate_password()
    return users.create_user(ADMIN_USERNAME, password, Role.ADMIN, display_name="系统管理员"), password
