"""Archive checksum of a closed survey's ballots.

Revision ID: 6b2e4c4ec5a7
Revises: 5a1c0d0551e5
Create Date: 2026-11-24 15:00:01

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '6b2e4c4ec5a7'
down_revision = '5a1c0d0551e5'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
