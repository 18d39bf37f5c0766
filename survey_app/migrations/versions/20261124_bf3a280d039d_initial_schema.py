"""Initial schema: surveys and their structure, codes and ballots, users and audit log,
API tokens, assessment plans.

Revision ID: bf3a280d039d
Revises: 
Create Date: 2026-11-24 13:27:07.887690

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bf3a280d039d'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('DEMOCRATIC', 'SERVICE_QUALITY', 'KEY_PROJECT', 'SPECIAL', 'PUBLIC', 'LEADER', name='surveykind', native_enum=False, length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_anonymous', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'PUBLISHED', 'CLOSED', 'ARCHIVED', name='surveystatus', native_enum=False, length=20), nullable=False),
    sa.Column('scale_kind', sa.Enum('OPTIONS', 'SCORE', name='scalekind', native_enum=False, length=20), nullable=False),
    sa.Column('excellent_cap_percent', sa.Integer(), nullable=True),
    sa.Column('trim_extremes', sa.Boolean(), nullable=False),
    sa.Column('disagreement_gap', sa.Float(), nullable=False),
    sa.Column('negative_share_threshold', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cloned_from_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('excellent_cap_percent IS NULL OR excellent_cap_percent BETWEEN 1 AND 100', name=op.f('ck_surveys_excellent_cap_range')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_surveys_year_range')),
    sa.ForeignKeyConstraint(['cloned_from_id'], ['surveys.id'], name=op.f('fk_surveys_cloned_from_id_surveys'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys'))
    )
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('category', sa.String(length=50), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('name', name=op.f('uq_units_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.Enum('ADMIN', 'ORGANIZER', 'VIEWER', name='role', native_enum=False, length=20), nullable=False),
    sa.Column('is_active_account', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_on', sa.Date(), nullable=True),
    sa.Column('is_revoked', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('assessment_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('subject_kind', sa.Enum('UNIT', 'CADRE', name='plansubjectkind', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'PROPOSED', 'CONFIRMED', name='planstatus', native_enum=False, length=20), nullable=False),
    sa.Column('quota_percent', sa.Integer(), nullable=False),
    sa.Column('raised_quota_percent', sa.Integer(), nullable=True),
    sa.Column('excellent_label', sa.String(length=20), nullable=False),
    sa.Column('grade_bands', sa.JSON(), nullable=False),
    sa.Column('bonus_cap', sa.Float(), nullable=False),
    sa.Column('deduction_cap', sa.Float(), nullable=False),
    sa.Column('veto_survey_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('bonus_cap >= 0 AND bonus_cap <= 100', name=op.f('ck_assessment_plans_bonus_cap_range')),
    sa.CheckConstraint('deduction_cap >= 0 AND deduction_cap <= 100', name=op.f('ck_assessment_plans_deduction_cap_range')),
    sa.CheckConstraint('quota_percent BETWEEN 0 AND 100', name=op.f('ck_assessment_plans_quota_range')),
    sa.CheckConstraint('raised_quota_percent IS NULL OR raised_quota_percent BETWEEN quota_percent AND 100', name=op.f('ck_assessment_plans_raised_quota_range')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_assessment_plans_year_range')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_assessment_plans_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['veto_survey_id'], ['surveys.id'], name=op.f('fk_assessment_plans_veto_survey_id_surveys'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_plans'))
    )
    with op.batch_alter_table('assessment_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_plans_veto_survey_id'), ['veto_survey_id'], unique=False)

    op.create_table('audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_entries_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entries_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entries_user_id'), ['user_id'], unique=False)

    op.create_table('dimensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('weight >= 0', name=op.f('ck_dimensions_weight_nonnegative')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_dimensions_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dimensions'))
    )
    with op.batch_alter_table('dimensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dimensions_survey_id'), ['survey_id'], unique=False)

    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('SINGLE_CHOICE', 'MULTIPLE_CHOICE', 'SHORT_TEXT', 'LONG_TEXT', 'NUMBER', name='questionkind', native_enum=False, length=20), nullable=False),
    sa.Column('prompt', sa.String(length=500), nullable=False),
    sa.Column('is_required', sa.Boolean(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('show_if_question_id', sa.Integer(), nullable=True),
    sa.Column('show_if_values', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['show_if_question_id'], ['questions.id'], name=op.f('fk_questions_show_if_question_id_questions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_questions_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_survey_id'), ['survey_id'], unique=False)

    op.create_table('respondent_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('min_size', sa.Integer(), nullable=False),
    sa.Column('expected_count', sa.Integer(), nullable=False),
    sa.Column('rates_all_subjects', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('expected_count >= 0', name=op.f('ck_respondent_groups_expected_count_nonnegative')),
    sa.CheckConstraint('min_size >= 1', name=op.f('ck_respondent_groups_min_size_positive')),
    sa.CheckConstraint('weight >= 0', name=op.f('ck_respondent_groups_weight_nonnegative')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_respondent_groups_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_respondent_groups')),
    sa.UniqueConstraint('survey_id', 'key', name='uq_respondent_groups_survey_key')
    )
    with op.batch_alter_table('respondent_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_respondent_groups_survey_id'), ['survey_id'], unique=False)

    op.create_table('scale_options',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=50), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('is_unknown', sa.Boolean(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('(is_unknown AND score IS NULL) OR (NOT is_unknown AND score BETWEEN 0 AND 100)', name=op.f('ck_scale_options_score_matches_kind')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_scale_options_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scale_options'))
    )
    with op.batch_alter_table('scale_options', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scale_options_survey_id'), ['survey_id'], unique=False)

    op.create_table('subjects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.Enum('CADRE', 'UNIT', 'TEAM', name='subjectkind', native_enum=False, length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('position_title', sa.String(length=100), nullable=False),
    sa.Column('predecessor_key', sa.String(length=64), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_subjects_survey_id_surveys'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_subjects_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subjects')),
    sa.UniqueConstraint('survey_id', 'key', name='uq_subjects_survey_key')
    )
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subjects_survey_id'), ['survey_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subjects_unit_id'), ['unit_id'], unique=False)

    op.create_table('user_unit_scopes',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_user_unit_scopes_unit_id_units'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_unit_scopes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'unit_id', name=op.f('pk_user_unit_scopes'))
    )
    op.create_table('ballots',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('is_open_link', sa.Boolean(), nullable=False),
    sa.Column('respondent_name', sa.String(length=100), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('quality_flag', sa.String(length=30), nullable=True),
    sa.Column('is_excluded', sa.Boolean(), nullable=False),
    sa.Column('excluded_reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['respondent_groups.id'], name=op.f('fk_ballots_group_id_respondent_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_ballots_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballots')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballots_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballots_survey_id'), ['survey_id'], unique=False)

    op.create_table('code_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_void', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['respondent_groups.id'], name=op.f('fk_code_batches_group_id_respondent_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_code_batches_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_batches'))
    )
    with op.batch_alter_table('code_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_code_batches_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_code_batches_survey_id'), ['survey_id'], unique=False)

    op.create_table('group_subjects',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['respondent_groups.id'], name=op.f('fk_group_subjects_group_id_respondent_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_group_subjects_subject_id_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'subject_id', name=op.f('pk_group_subjects'))
    )
    op.create_table('open_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['respondent_groups.id'], name=op.f('fk_open_links_group_id_respondent_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_open_links_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_links')),
    sa.UniqueConstraint('token', name=op.f('uq_open_links_token'))
    )
    with op.batch_alter_table('open_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_links_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_links_survey_id'), ['survey_id'], unique=False)

    op.create_table('plan_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['assessment_plans.id'], name=op.f('fk_plan_categories_plan_id_assessment_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_categories')),
    sa.UniqueConstraint('plan_id', 'name', name='uq_plan_categories_plan_name')
    )
    with op.batch_alter_table('plan_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_categories_plan_id'), ['plan_id'], unique=False)

    op.create_table('access_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('ISSUED', 'USED', 'VOID', name='codestatus', native_enum=False, length=10), nullable=False),
    sa.Column('used_on', sa.Date(), nullable=True),
    sa.Column('idempotency_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['code_batches.id'], name=op.f('fk_access_codes_batch_id_code_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['respondent_groups.id'], name=op.f('fk_access_codes_group_id_respondent_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_access_codes_survey_id_surveys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_access_codes_code_hash'))
    )
    with op.batch_alter_table('access_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_codes_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_codes_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_codes_survey_id'), ['survey_id'], unique=False)

    op.create_table('answers',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('ballot_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value_text', sa.Text(), nullable=True),
    sa.Column('value_number', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_answers_ballot_id_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_answers_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_ballot_id'), ['ballot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answers_question_id'), ['question_id'], unique=False)

    op.create_table('open_receipts',
    sa.Column('idempotency_hash', sa.String(length=64), nullable=False),
    sa.Column('open_link_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['open_link_id'], ['open_links.id'], name=op.f('fk_open_receipts_open_link_id_open_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idempotency_hash', name=op.f('pk_open_receipts'))
    )
    with op.batch_alter_table('open_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_receipts_open_link_id'), ['open_link_id'], unique=False)

    op.create_table('plan_components',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('source', sa.Enum('SURVEY', 'MANUAL', name='componentsource', native_enum=False, length=20), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("(source = 'SURVEY' AND survey_id IS NOT NULL) OR (source = 'MANUAL' AND survey_id IS NULL)", name=op.f('ck_plan_components_source_matches_survey')),
    sa.CheckConstraint('weight >= 0', name=op.f('ck_plan_components_weight_nonnegative')),
    sa.ForeignKeyConstraint(['category_id'], ['plan_categories.id'], name=op.f('fk_plan_components_category_id_plan_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_plan_components_survey_id_surveys'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_components')),
    sa.UniqueConstraint('category_id', 'name', name='uq_plan_components_category_name')
    )
    with op.batch_alter_table('plan_components', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_components_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_components_survey_id'), ['survey_id'], unique=False)

    op.create_table('plan_subjects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('is_priority', sa.Boolean(), nullable=False),
    sa.Column('priority_reason', sa.String(length=200), nullable=False),
    sa.Column('meets_raised_condition', sa.Boolean(), nullable=False),
    sa.Column('raised_reason', sa.String(length=200), nullable=False),
    sa.Column('is_vetoed', sa.Boolean(), nullable=False),
    sa.Column('veto_reason', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("NOT is_priority OR priority_reason <> ''", name=op.f('ck_plan_subjects_priority_has_reason')),
    sa.CheckConstraint("NOT is_vetoed OR veto_reason <> ''", name=op.f('ck_plan_subjects_veto_has_reason')),
    sa.CheckConstraint("NOT meets_raised_condition OR raised_reason <> ''", name=op.f('ck_plan_subjects_raised_has_reason')),
    sa.ForeignKeyConstraint(['category_id'], ['plan_categories.id'], name=op.f('fk_plan_subjects_category_id_plan_categories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['assessment_plans.id'], name=op.f('fk_plan_subjects_plan_id_assessment_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_plan_subjects_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_subjects')),
    sa.UniqueConstraint('plan_id', 'key', name='uq_plan_subjects_plan_key')
    )
    with op.batch_alter_table('plan_subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_subjects_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_subjects_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_subjects_unit_id'), ['unit_id'], unique=False)

    op.create_table('ratings',
    sa.Column('ballot_id', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('dimension_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.CheckConstraint('score IS NULL OR score BETWEEN 0 AND 100', name=op.f('ck_ratings_score_range')),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballots.id'], name=op.f('fk_ratings_ballot_id_ballots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dimension_id'], ['dimensions.id'], name=op.f('fk_ratings_dimension_id_dimensions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['scale_options.id'], name=op.f('fk_ratings_option_id_scale_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_ratings_subject_id_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', 'subject_id', 'dimension_id', name=op.f('pk_ratings')),
    sqlite_with_rowid=False
    )
    op.create_table('adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('BONUS', 'DEDUCTION', name='adjustmentkind', native_enum=False, length=20), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('document', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind <> 'DEDUCTION' OR document <> ''", name=op.f('ck_adjustments_deduction_has_document')),
    sa.CheckConstraint("reason <> ''", name=op.f('ck_adjustments_reason_required')),
    sa.CheckConstraint('points > 0 AND points <= 100', name=op.f('ck_adjustments_points_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_adjustments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['plan_subjects.id'], name=op.f('fk_adjustments_subject_id_plan_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adjustments'))
    )
    with op.batch_alter_table('adjustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adjustments_subject_id'), ['subject_id'], unique=False)

    op.create_table('component_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('component_id', sa.Integer(), nullable=False),
    sa.Column('self_score', sa.Float(), nullable=True),
    sa.Column('verified_score', sa.Float(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('self_score IS NULL OR self_score BETWEEN 0 AND 100', name=op.f('ck_component_scores_self_score_range')),
    sa.CheckConstraint('verified_score IS NULL OR verified_score BETWEEN 0 AND 100', name=op.f('ck_component_scores_verified_score_range')),
    sa.ForeignKeyConstraint(['component_id'], ['plan_components.id'], name=op.f('fk_component_scores_component_id_plan_components'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['plan_subjects.id'], name=op.f('fk_component_scores_subject_id_plan_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_component_scores')),
    sa.UniqueConstraint('subject_id', 'component_id', name='uq_component_scores_subject_component')
    )
    with op.batch_alter_table('component_scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_component_scores_component_id'), ['component_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_component_scores_subject_id'), ['subject_id'], unique=False)

    op.create_table('grade_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('overridden_grade', sa.String(length=20), nullable=True),
    sa.Column('override_reason', sa.String(length=500), nullable=False),
    sa.Column('overridden_by_id', sa.Integer(), nullable=True),
    sa.Column('overridden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('composite', sa.Float(), nullable=True),
    sa.Column('proposed_grade', sa.String(length=20), nullable=True),
    sa.Column('proposed_reason', sa.String(length=300), nullable=False),
    sa.Column('final_grade', sa.String(length=20), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("overridden_grade IS NULL OR override_reason <> ''", name=op.f('ck_grade_decisions_override_has_reason')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_grade_decisions_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['overridden_by_id'], ['users.id'], name=op.f('fk_grade_decisions_overridden_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['plan_subjects.id'], name=op.f('fk_grade_decisions_subject_id_plan_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grade_decisions')),
    sa.UniqueConstraint('subject_id', name='uq_grade_decisions_subject_id')
    )


def downgrade():
    op.drop_table('grade_decisions')
    with op.batch_alter_table('component_scores', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_component_scores_subject_id'))
        batch_op.drop_index(batch_op.f('ix_component_scores_component_id'))

    op.drop_table('component_scores')
    with op.batch_alter_table('adjustments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adjustments_subject_id'))

    op.drop_table('adjustments')
    op.drop_table('ratings')
    with op.batch_alter_table('plan_subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_subjects_unit_id'))
        batch_op.drop_index(batch_op.f('ix_plan_subjects_plan_id'))
        batch_op.drop_index(batch_op.f('ix_plan_subjects_category_id'))

    op.drop_table('plan_subjects')
    with op.batch_alter_table('plan_components', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_components_survey_id'))
        batch_op.drop_index(batch_op.f('ix_plan_components_category_id'))

    op.drop_table('plan_components')
    with op.batch_alter_table('open_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_receipts_open_link_id'))

    op.drop_table('open_receipts')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_question_id'))
        batch_op.drop_index(batch_op.f('ix_answers_ballot_id'))

    op.drop_table('answers')
    with op.batch_alter_table('access_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_codes_survey_id'))
        batch_op.drop_index(batch_op.f('ix_access_codes_group_id'))
        batch_op.drop_index(batch_op.f('ix_access_codes_batch_id'))

    op.drop_table('access_codes')
    with op.batch_alter_table('plan_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_categories_plan_id'))

    op.drop_table('plan_categories')
    with op.batch_alter_table('open_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_links_survey_id'))
        batch_op.drop_index(batch_op.f('ix_open_links_group_id'))

    op.drop_table('open_links')
    op.drop_table('group_subjects')
    with op.batch_alter_table('code_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_code_batches_survey_id'))
        batch_op.drop_index(batch_op.f('ix_code_batches_group_id'))

    op.drop_table('code_batches')
    with op.batch_alter_table('ballots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballots_survey_id'))
        batch_op.drop_index(batch_op.f('ix_ballots_group_id'))

    op.drop_table('ballots')
    op.drop_table('user_unit_scopes')
    with op.batch_alter_table('subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subjects_unit_id'))
        batch_op.drop_index(batch_op.f('ix_subjects_survey_id'))

    op.drop_table('subjects')
    with op.batch_alter_table('scale_options', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scale_options_survey_id'))

    op.drop_table('scale_options')
    with op.batch_alter_table('respondent_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_respondent_groups_survey_id'))

    op.drop_table('respondent_groups')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_survey_id'))

    op.drop_table('questions')
    with op.batch_alter_table('dimensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dimensions_survey_id'))

    op.drop_table('dimensions')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entries_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_entries_created_at'))

    op.drop_table('audit_entries')
    with op.batch_alter_table('assessment_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_plans_veto_survey_id'))

    op.drop_table('assessment_plans')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('units')
    op.drop_table('surveys')
