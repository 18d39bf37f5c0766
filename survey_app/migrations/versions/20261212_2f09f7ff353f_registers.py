"""Registers of 正向激励 and 效能督查: items per unit and year with evidence files and approval; plan adjustments link to the item they were synced from.

Revision ID: 2f09f7ff353f
Revises: d0be73a15d61
Create Date: 2026-12-07 20:19:32.930627

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '2f09f7ff353f'
down_revision = 'd0be73a15d61'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('register_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('BONUS', 'DEDUCTION', name='adjustmentkind', native_enum=False, length=20), nullable=False),
    sa.Column('source', sa.Enum('PARTY_OFFICE', 'GOVERNMENT_OFFICE', 'EFFICIENCY_OFFICE', 'COMMENDATION', 'OTHER', name='registersource', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('document', sa.String(length=200), nullable=False),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('RECORDED', 'APPROVED', 'REJECTED', name='registerstate', native_enum=False, length=20), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("document <> ''", name=op.f('ck_register_entries_document_required')),
    sa.CheckConstraint("kind <> 'DEDUCTION' OR finding <> ''", name=op.f('ck_register_entries_deduction_has_finding')),
    sa.CheckConstraint("state <> 'REJECTED' OR decision_note <> ''", name=op.f('ck_register_entries_rejection_has_note')),
    sa.CheckConstraint("state = 'RECORDED' OR decided_at IS NOT NULL", name=op.f('ck_register_entries_decision_recorded')),
    sa.CheckConstraint("title <> ''", name=op.f('ck_register_entries_title_required')),
    sa.CheckConstraint('points > 0 AND points <= 10', name=op.f('ck_register_entries_points_range')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_register_entries_year_range')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_register_entries_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_register_entries_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_register_entries_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_entries'))
    )
    with op.batch_alter_table('register_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_entries_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_register_entries_year'), ['year'], unique=False)

    op.create_table('register_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['register_entries.id'], name=op.f('fk_register_evidence_entry_id_register_entries'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_register_evidence_file_id_stored_files'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_register_evidence')),
    sa.UniqueConstraint('entry_id', 'file_id', name=op.f('uq_register_evidence_entry_id'))
    )
    with op.batch_alter_table('register_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_evidence_entry_id'), ['entry_id'], unique=False)

    with op.batch_alter_table('adjustments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('register_entry_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_adjustments_register_entry_id'), ['register_entry_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_adjustments_register_entry_id_register_entries'), 'register_entries', ['register_entry_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('adjustments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_adjustments_register_entry_id_register_entries'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_adjustments_register_entry_id'))
        batch_op.drop_column('register_entry_id')

    with op.batch_alter_table('register_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_evidence_entry_id'))

    op.drop_table('register_evidence')
    with op.batch_alter_table('register_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_entries_year'))
        batch_op.drop_index(batch_op.f('ix_register_entries_unit_id'))

    op.drop_table('register_entries')
