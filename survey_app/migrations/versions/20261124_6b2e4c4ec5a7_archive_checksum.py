"""Archive checksum of a closed survey's ballots.

Revision ID: 6b2e4c4ec5a7
Revises: 5a1c0d0551e5
Create Date: 2026-11-24 15:00:01

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6b2e4c4ec5a7'
down_revision = '5a1c0d0551e5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archive_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('archive_salt', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
        batch_op.drop_column('archive_salt')
        batch_op.drop_column('archive_sha256')
