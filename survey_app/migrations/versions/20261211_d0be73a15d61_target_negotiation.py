"""Target negotiation: a system's 申报 and 确认 deadlines, and every round of a unit's target sheet with its leaves' values and comments.

Revision ID: d0be73a15d61
Revises: dec262168be6
Create Date: 2026-12-07 20:18:43.416279

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd0be73a15d61'
down_revision = 'dec262168be6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('target_deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('proposal_due_on', sa.Date(), nullable=False),
    sa.Column('confirmation_due_on', sa.Date(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('confirmation_due_on >= proposal_due_on', name=op.f('ck_target_deadlines_confirmation_after_proposal')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_target_deadlines_started_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['system_id'], ['indicator_systems.id'], name=op.f('fk_target_deadlines_system_id_indicator_systems'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_deadlines')),
    sa.UniqueConstraint('system_id', name=op.f('uq_target_deadlines_system_id'))
    )
    op.create_table('target_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('PROPOSE', 'ANSWER', 'RETURN', 'ADJUST', 'ACCEPT', 'CONFIRM', 'APPROVE', 'REOPEN', name='roundaction', native_enum=False, length=20), nullable=False),
    sa.Column('state', sa.Enum('DRAFT', 'PROPOSED', 'RETURNED', 'ADJUSTED', 'CONFIRMED', 'APPROVED', name='sheetstate', native_enum=False, length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('leaves', sa.JSON(), nullable=False),
    sa.CheckConstraint('number >= 1', name=op.f('ck_target_rounds_number_positive')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_target_rounds_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sheet_id'], ['target_sheets.id'], name=op.f('fk_target_rounds_sheet_id_target_sheets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_rounds')),
    sa.UniqueConstraint('sheet_id', 'number', name=op.f('uq_target_rounds_sheet_id'))
    )
    with op.batch_alter_table('target_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_rounds_sheet_id'), ['sheet_id'], unique=False)



def downgrade():
    with op.batch_alter_table('target_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_rounds_sheet_id'))

    op.drop_table('target_rounds')
    op.drop_table('target_deadlines')
