"""Ratings keep only their ballot's foreign key: the submission checks subject, dimension
and option against the locked published structure (models/ballot.py, Rating).

Revision ID: 8e1f3a7b6c25
Revises: 7c0e5b9d2a41
Create Date: 2026-11-24 17:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8e1f3a7b6c25'
down_revision = '7c0e5b9d2a41'
branch_labels = None
depends_on = None

_KEYS = (
    ('fk_ratings_subject_id_subjects', 'subjects', 'subject_id'),
    ('fk_ratings_dimension_id_dimensions', 'dimensions', 'dimension_id'),
    ('fk_ratings_option_id_scale_options', 'scale_options', 'option_id'),
)
# SQLite recreates the table: keep it WITHOUT ROWID (docs/anonymity.md).
_TABLE_KWARGS = {'sqlite_with_rowid': False}


def upgrade():
    with op.batch_alter_table('ratings', schema=None, table_kwargs=_TABLE_KWARGS) as batch_op:
        for name, _table, _column in _KEYS:
            batch_op.drop_constraint(name, type_='foreignkey')


def downgrade():
    with op.batch_alter_table('ratings', schema=None, table_kwargs=_TABLE_KWARGS) as batch_op:
        for name, table, column in _KEYS:
            batch_op.create_foreign_key(name, table, [column], ['id'], ondelete='CASCADE')
