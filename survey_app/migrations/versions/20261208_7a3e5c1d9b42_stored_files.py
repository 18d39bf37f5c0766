"""Stored files: the record of each uploaded evidence file or photo (bytes in the file store).

Revision ID: 7a3e5c1d9b42
Revises: 7a2d4c8e1f36
Create Date: 2026-12-08 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7a3e5c1d9b42'
down_revision = "7a2d4c8e1f36"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stored_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=50), nullable=False),
        sa.Column('purpose', sa.Enum('DOCUMENT', 'PHOTO', name='filepurpose', native_enum=False, length=20),
                  nullable=False),
        sa.Column('original_name', sa.String(length=200), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('size_bytes > 0', name=op.f('ck_stored_files_not_empty')),
        sa.CheckConstraint('length(sha256) = 64', name=op.f('ck_stored_files_sha256_hex')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_stored_files_uploaded_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files')),
    )
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_files_key'), ['key'], unique=False)


def downgrade():
    with op.batch_alter_table('stored_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_files_key'))
    op.drop_table('stored_files')
