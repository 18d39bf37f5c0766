"""Year-end results of a level-bonus leaf keep counts per level (self_counts, verified_counts).

Revision ID: 3c71a9e0d5b4
Revises: 8d2b69193737
Create Date: 2026-12-07 21:35:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c71a9e0d5b4'
down_revision = '8d2b69193737'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('target_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('self_counts', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('verified_counts', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('target_results', schema=None) as batch_op:
        batch_op.drop_column('verified_counts')
        batch_op.drop_column('self_counts')
