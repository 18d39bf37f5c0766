"""Redactions of respondents' texts and the rectification loop (转办 → 答复 → 整改).

Revision ID: 3c7d2e9a5b14
Revises: 5c7d2e9a1b40
Create Date: 2026-12-07 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3c7d2e9a5b14'
down_revision = "5c7d2e9a1b40"
branch_labels = None
depends_on = None

_ONE_TEXT = '(answer_id IS NULL) <> (comment_id IS NULL)'


def _text_columns(table: str) -> list:
    return [
        sa.Column('answer_id', sa.String(length=32), nullable=True),
        sa.Column('comment_id', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['answer_id'], ['answers.id'], name=op.f(f'fk_{table}_answer_id_answers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['comment_id'], ['subject_comments.id'],
                                name=op.f(f'fk_{table}_comment_id_subject_comments'), ondelete='CASCADE'),
        sa.UniqueConstraint('answer_id', name=op.f(f'uq_{table}_answer_id')),
        sa.UniqueConstraint('comment_id', name=op.f(f'uq_{table}_comment_id')),
        sa.CheckConstraint(_ONE_TEXT, name=op.f(f'ck_{table}_one_text')),
    ]


def upgrade():
    op.create_table(
        'text_redactions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fragments', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        *_text_columns('text_redactions'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_text_redactions')),
    )
    op.create_table(
        'followups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('subject_key', sa.String(length=64), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.Enum('FORWARDED', 'REPLIED', 'RECTIFIED', 'DECLINED', name='followupstatus',
                                    native_enum=False, length=20), nullable=False),
        sa.Column('reply_text', sa.Text(), nullable=False),
        sa.Column('decline_reason', sa.String(length=500), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        *_text_columns('followups'),
        sa.CheckConstraint("status <> 'DECLINED' OR decline_reason <> ''",
                           name=op.f('ck_followups_reason_when_declined')),
        sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_followups_survey_id_surveys'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_followups_unit_id_units'),
                                ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_followups_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_followups')),
    )
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followups_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_subject_key'), ['subject_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_unit_id'), ['unit_id'], unique=False)


def downgrade():
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followups_unit_id'))
        batch_op.drop_index(batch_op.f('ix_followups_subject_key'))
        batch_op.drop_index(batch_op.f('ix_followups_survey_id'))
    op.drop_table('followups')
    op.drop_table('text_redactions')
