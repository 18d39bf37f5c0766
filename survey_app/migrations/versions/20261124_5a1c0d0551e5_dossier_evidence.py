"""Cadre dossier evidence (任务/进度/问题/成绩清单): one table of items filed under a cadre's
stable subject key, with source, attachment references and verification.

Revision ID: 5a1c0d0551e5
Revises: 4dff8f8ec500
Create Date: 2026-11-24 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5a1c0d0551e5'
down_revision = '4dff8f8ec500'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evidence_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_key', sa.String(length=64), nullable=False),
    sa.Column('subject_name', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('TASK', 'PROGRESS', 'PROBLEM', 'ACHIEVEMENT', name='evidencekind', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('source', sa.Enum('SITE_VISIT', 'INTERVIEW', 'AUDIT', 'INSPECTION', 'PATROL', 'DOCUMENTS', 'MEETING', 'UNANNOUNCED', 'OTHER', name='evidencesource', native_enum=False, length=20), nullable=False),
    sa.Column('attachments', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'VERIFIED', 'DISPUTED', 'REFUTED', name='verificationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verification_note', sa.String(length=500), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'PENDING' AND verified_at IS NULL) OR (status <> 'PENDING' AND verified_at IS NOT NULL)", name=op.f('ck_evidence_items_verified_when_decided')),
    sa.CheckConstraint("subject_key <> ''", name=op.f('ck_evidence_items_subject_key_required')),
    sa.CheckConstraint("title <> ''", name=op.f('ck_evidence_items_title_required')),
    sa.CheckConstraint('due_on IS NULL OR due_on >= occurred_on', name=op.f('ck_evidence_items_due_after_occurred')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_evidence_items_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_evidence_items_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_evidence_items_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_items'))
    )
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_items_subject_key'), ['subject_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_items_unit_id'), ['unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_items_unit_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_items_subject_key'))

    op.drop_table('evidence_items')
