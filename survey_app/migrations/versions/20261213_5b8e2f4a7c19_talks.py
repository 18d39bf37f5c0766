"""Talks (个别谈话): the confidential talks table, and the inspection-team flag on staff accounts.

Revision ID: 5b8e2f4a7c19
Revises: 2f09f7ff353f
Create Date: 2026-12-07 20:18:43.122656

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b8e2f4a7c19'
down_revision = '2f09f7ff353f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('talks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_key', sa.String(length=64), nullable=False),
    sa.Column('subject_name', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('relation', sa.Enum('SUPERIOR', 'PEER', 'SUBORDINATE', 'SERVED', 'PRIVATE_LIFE', name='talkrelation', native_enum=False, length=20), nullable=False),
    sa.Column('person_name', sa.String(length=100), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("subject_key <> ''", name=op.f('ck_talks_subject_key_required')),
    sa.CheckConstraint("summary <> ''", name=op.f('ck_talks_summary_required')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_talks_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_talks_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_talks_visit_id_visits'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talks'))
    )
    with op.batch_alter_table('talks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talks_subject_key'), ['subject_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_talks_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_talks_visit_id'), ['visit_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_inspector', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('is_inspector')

    with op.batch_alter_table('talks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_talks_visit_id'))
        batch_op.drop_index(batch_op.f('ix_talks_unit_id'))
        batch_op.drop_index(batch_op.f('ix_talks_subject_key'))

    op.drop_table('talks')
