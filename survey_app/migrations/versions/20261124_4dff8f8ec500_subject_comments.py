"""Per-subject comments (意见建议) on ballots, and the survey switch that enables them.

Revision ID: 4dff8f8ec500
Revises: bf3a280d039d
Create Date: 2026-11-24 13:50:46.610589

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4dff8f8ec500'
down_revision = 'bf3a280d039d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subject_comments',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('ballot_id', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_subject_comments_ballot_id_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_subject_comments_subject_id_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_comments')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('subject_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_comments_ballot_id'), ['ballot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_comments_subject_id'), ['subject_id'], unique=False)

    with op.batch_alter_table('surveys', schema=None) as batch_op:
        # Existing surveys get no comment boxes.
        batch_op.add_column(sa.Column('subject_comments', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('subject_comments')

    with op.batch_alter_table('subject_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_comments_subject_id'))
        batch_op.drop_index(batch_op.f('ix_subject_comments_ballot_id'))

    op.drop_table('subject_comments')
