"""Indicator systems (考核细则) per year and unit category, and their trees of indicators.

Revision ID: 7a2d4b8c1e63
Revises: 6f1a9c3e7b20
Create Date: 2026-12-08 14:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '7a2d4b8c1e63'
down_revision = '6f1a9c3e7b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('indicator_systems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'PUBLISHED', name='systemstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("category <> ''", name=op.f('ck_indicator_systems_category_required')),
    sa.CheckConstraint("title <> ''", name=op.f('ck_indicator_systems_title_required')),
    sa.CheckConstraint('points > 0', name=op.f('ck_indicator_systems_points_positive')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_indicator_systems_year_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_indicator_systems_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_systems'))
    )
    with op.batch_alter_table('indicator_systems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_systems_year'), ['year'], unique=False)

    op.create_table('indicator_nodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('system_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('points', sa.Float(), nullable=True),
    sa.Column('weight', sa.Float(), nullable=True),
    sa.Column('unit_of_measure', sa.String(length=30), nullable=False),
    sa.Column('direction', sa.Enum('HIGHER', 'LOWER', name='direction', native_enum=False, length=20), nullable=False),
    sa.Column('criteria', sa.Text(), nullable=False),
    sa.Column('data_note', sa.Text(), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=True),
    sa.Column('parameters', sa.JSON(), nullable=True),
    sa.CheckConstraint("name <> ''", name=op.f('ck_indicator_nodes_name_required')),
    sa.CheckConstraint('(points IS NULL) <> (weight IS NULL)', name=op.f('ck_indicator_nodes_points_or_weight')),
    sa.CheckConstraint('points IS NULL OR points >= 0', name=op.f('ck_indicator_nodes_points_non_negative')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_indicator_nodes_position_non_negative')),
    sa.CheckConstraint('weight IS NULL OR (weight >= 0 AND weight <= 1)', name=op.f('ck_indicator_nodes_weight_range')),
    sa.ForeignKeyConstraint(['parent_id'], ['indicator_nodes.id'], name=op.f('fk_indicator_nodes_parent_id_indicator_nodes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['system_id'], ['indicator_systems.id'], name=op.f('fk_indicator_nodes_system_id_indicator_systems'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_nodes')),
    sa.UniqueConstraint('system_id', 'code', name=op.f('uq_indicator_nodes_system_id'))
    )
    with op.batch_alter_table('indicator_nodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_nodes_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_nodes_system_id'), ['system_id'], unique=False)



def downgrade():
    with op.batch_alter_table('indicator_nodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_nodes_system_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_nodes_parent_id'))

    op.drop_table('indicator_nodes')
    with op.batch_alter_table('indicator_systems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_systems_year'))

    op.drop_table('indicator_systems')
