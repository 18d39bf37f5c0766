"""Index the audit log by target: a survey's last change is looked up on every ballot page.

Revision ID: 9d4b6a1e2f37
Revises: 8e1f3a7b6c25
Create Date: 2026-11-24 19:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d4b6a1e2f37'
down_revision = '8e1f3a7b6c25'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_audit_entries_target', 'audit_entries', ['target_type', 'target_id', 'id'])


def downgrade():
    op.drop_index('ix_audit_entries_target', table_name='audit_entries')
