"""Key projects (重点项目) with their units, linked cadres and milestones (issue #16).

Revision ID: 7a2d4c8e1f36
Revises: 7a2d4b8c1e63
Create Date: 2026-12-09 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7a2d4c8e1f36'
down_revision = "7a2d4b8c1e63"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'key_projects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('level', sa.Enum('NATIONAL', 'PROVINCIAL', 'CITY', name='projectlevel', native_enum=False,
                                   length=20), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('status', sa.Enum('ACTIVE', 'SUSPENDED', 'COMPLETED', name='projectstatus', native_enum=False,
                                    length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f('ck_key_projects_name_required')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_key_projects')),
        sa.UniqueConstraint('name', name=op.f('uq_key_projects_name')),
    )
    op.create_table(
        'key_project_units',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['key_projects.id'],
                                name=op.f('fk_key_project_units_project_id_key_projects'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_key_project_units_unit_id_units'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('project_id', 'unit_id', name=op.f('pk_key_project_units')),
    )
    op.create_table(
        'key_project_cadres',
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('subject_key', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['project_id'], ['key_projects.id'],
                                name=op.f('fk_key_project_cadres_project_id_key_projects'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('project_id', 'subject_key', name=op.f('pk_key_project_cadres')),
    )
    op.create_table(
        'milestones',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('planned_on', sa.Date(), nullable=False),
        sa.Column('actual_on', sa.Date(), nullable=True),
        sa.Column('weight', sa.Float(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f('ck_milestones_name_required')),
        sa.CheckConstraint('weight > 0', name=op.f('ck_milestones_weight_positive')),
        sa.ForeignKeyConstraint(['project_id'], ['key_projects.id'], name=op.f('fk_milestones_project_id_key_projects'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones')),
        sa.UniqueConstraint('project_id', 'name', name=op.f('uq_milestones_project_id')),
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_project_id'), ['project_id'], unique=False)


def downgrade():
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_project_id'))
    op.drop_table('milestones')
    op.drop_table('key_project_cadres')
    op.drop_table('key_project_units')
    op.drop_table('key_projects')
