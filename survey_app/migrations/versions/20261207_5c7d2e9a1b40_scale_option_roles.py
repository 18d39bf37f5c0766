"""Scale options name the figures the results report: role top / pass / negative.

Until now the results guessed 优秀率/称职率/满意率 from the option labels (and a custom
scale fell back to best/worst). Each option may now carry a role; this migration sets the
roles of the preset scales an existing survey uses (matched by their scored labels) and,
on a custom scale, keeps what the fallback reported: its best option is top and its worst
negative (so 差评 flags and the assessment veto keep firing); the organizer may change them
in the builder.

Revision ID: 5c7d2e9a1b40
Revises: 4e7a1c9b3d52
Create Date: 2026-12-07 12:15:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5c7d2e9a1b40'
down_revision = "4e7a1c9b3d52"
branch_labels = None
depends_on = None

#: The preset scales' roles by scored label set (survey_app/services/surveys.py SCALE_PRESETS).
_PRESET_ROLES = {
    frozenset({"优秀", "称职", "基本称职", "不称职"}): {"优秀": "top", "称职": "pass", "不称职": "negative"},
    frozenset({"好", "较好", "一般", "差"}): {"好": "top", "较好": "pass", "差": "negative"},
    frozenset({"满意", "基本满意", "不满意"}): {"满意": "top", "基本满意": "pass", "不满意": "negative"},
    frozenset({"非常满意", "满意", "一般", "不满意", "非常不满意"}):
        {"非常满意": "top", "满意": "pass", "不满意": "negative"},
}


def upgrade():
    with op.batch_alter_table('scale_options', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=8), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_scale_options_role_known'), "role IS NULL OR (role IN ('top', 'pass', 'negative') AND NOT is_unknown)")
    options = sa.table('scale_options', sa.column('id'), sa.column('survey_id'), sa.column('label'),
                       sa.column('score'), sa.column('is_unknown'), sa.column('role'))
    connection = op.get_bind()
    by_survey = {}
    for option_id, survey_id, label, score in connection.execute(
            sa.select(options.c.id, options.c.survey_id, options.c.label, options.c.score)
            .where(options.c.is_unknown.is_(False))):
        by_survey.setdefault(survey_id, []).append((option_id, label.strip(), score))
    for rows in by_survey.values():
        for option_id, role in _roles(rows).items():
            connection.execute(options.update().where(options.c.id == option_id).values(role=role))


def _roles(rows: list) -> dict:
    """Option id → role: a preset's roles by label, else the old fallback (best top, worst
    negative) where the scored options' scores tell them apart."""
    labels = [label for _, label, _ in rows]
    roles = _PRESET_ROLES.get(frozenset(labels))
    if roles is not None and len(labels) == len(set(labels)):
        return {option_id: roles[label] for option_id, label, _ in rows if label in roles}
    scored = [(score, option_id) for option_id, _, score in rows if score is not None]
    if len(scored) < 2 or len({score for score, _ in scored}) != len(scored):
        return {}
    return {max(scored)[1]: "top", min(scored)[1]: "negative"}


def downgrade():
    with op.batch_alter_table('scale_options', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_scale_options_role_known'), type_='check')
        batch_op.drop_column('role')
