"""Plan components may take their scores from an indicator system (source TARGETS: the 指标考评 totals).

Revision ID: 8d2b69193737
Revises: 5b8e2f4a7c19
Create Date: 2026-12-07 20:23:25.399391

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8d2b69193737'
down_revision = '5b8e2f4a7c19'
branch_labels = None
depends_on = None

OLD_CHECK = "(source = 'SURVEY' AND survey_id IS NOT NULL) OR (source = 'MANUAL' AND survey_id IS NULL)"
NEW_CHECK = ("(source = 'SURVEY' AND survey_id IS NOT NULL AND indicator_system_id IS NULL)"
             " OR (source = 'MANUAL' AND survey_id IS NULL AND indicator_system_id IS NULL)"
             " OR (source = 'TARGETS' AND survey_id IS NULL AND indicator_system_id IS NOT NULL)")


def upgrade():
    with op.batch_alter_table('plan_components', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator_system_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_plan_components_indicator_system_id'), ['indicator_system_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_plan_components_indicator_system_id_indicator_systems'),
                                    'indicator_systems', ['indicator_system_id'], ['id'], ondelete='RESTRICT')
        batch_op.drop_constraint(batch_op.f('ck_plan_components_source_matches_survey'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_plan_components_source_matches_survey'), NEW_CHECK)


def downgrade():
    op.execute("DELETE FROM plan_components WHERE source = 'TARGETS'")
    with op.batch_alter_table('plan_components', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_plan_components_source_matches_survey'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_plan_components_source_matches_survey'), OLD_CHECK)
        batch_op.drop_constraint(batch_op.f('fk_plan_components_indicator_system_id_indicator_systems'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_plan_components_indicator_system_id'))
        batch_op.drop_column('indicator_system_id')
