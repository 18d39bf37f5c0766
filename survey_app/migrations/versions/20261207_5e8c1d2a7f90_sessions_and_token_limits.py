"""Sessions that can be ended (users.session_version).

Revision ID: 5e8c1d2a7f90
Revises: 9d4b6a1e2f37
Create Date: 2026-12-07 12:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e8c1d2a7f90'
down_revision = "9d4b6a1e2f37"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
