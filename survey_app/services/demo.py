"""The demo a newcomer sees after `make run`: realistic surveys and an admin account."""

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Role, Survey
from survey_app.services import users


def seed() -> str | None:
    """Create the admin account and demo surveys once; return the new admin password."""
    if db.session.scalar(select(func.count()).select_from(Survey)):
        return None
    password = users.generate_password()
    users.create_user("admin", password, Role.ADMIN, display_name="系统管理员")
    return password
