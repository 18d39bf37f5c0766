"""Venue networks: a hall's shared address is never made to wait during its on-site vote.

Revision ID: 6f1a9c3e7b20
Revises: 3c7d2e9a5b14
Create Date: 2026-12-08 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6f1a9c3e7b20'
down_revision = "3c7d2e9a5b14"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'venue_networks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('network', sa.String(length=64), nullable=False),
        sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_venue_networks_ends_after_start')),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_venue_networks_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_venue_networks_created_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_venue_networks')),
    )
    with op.batch_alter_table('venue_networks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venue_networks_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_venue_networks_ends_at'), ['ends_at'], unique=False)


def downgrade():
    with op.batch_alter_table('venue_networks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venue_networks_ends_at'))
        batch_op.drop_index(batch_op.f('ix_venue_networks_survey_id'))
    op.drop_table('venue_networks')
