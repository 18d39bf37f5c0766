"""Cadre dossier evidence (任务/进度/问题/成绩清单).

Revision ID: 5a1c0d0551e5
Revises: 4dff8f8ec500
Create Date: 2026-11-24 15:00:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '5a1c0d0551e5'
down_revision = '4dff8f8ec500'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
