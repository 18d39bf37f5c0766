"""Staff account form (administrators only)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from forms.common import choices
from survey_app.models.base import Role

REPORTER_UNIT = _l("单位填报员必须绑定且只能绑定一个单位")


def _one_unit_for_a_reporter(form, field) -> None:
    """A unit reporter speaks for exactly one unit (the service refuses it too)."""
    if form.role.data == Role.REPORTER.value and len(set(field.data or ())) != 1:
        raise ValidationError(REPORTER_UNIT)


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=64)])
    display_name = StringField(_l("姓名"), validators=[Length(max=100)])
    password = PasswordField(_l("初始密码"), validators=[DataRequired(_l("请填写密码")), Length(min=10, max=200, message=_l("密码至少 10 个字符"))])
    role = SelectField(_l("角色"), choices=[])
    unit_ids = SelectMultipleField(
        _l("限定单位（不选则可见全部）"), coerce=int, choices=[], invalid_choice_message=_l("所选单位不存在")
    )

    def __init__(self, *args, role_labels, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = choices((role.value, role_labels[role]) for role in Role)
        self.unit_ids.choices = choices((unit.id, f"{unit.name}（{unit.category or '—'}）") for unit in units)

    def validate_unit_ids(self, field) -> None:
        _one_unit_for_a_reporter(self, field)


class UserEditForm(FlaskForm):
    role = SelectField(_l("角色"), choices=[])
    unit_ids = SelectMultipleField(
        _l("限定单位（不选则可见全部）"), coerce=int, choices=[], invalid_choice_message=_l("所选单位不存在")
    )
    is_active = BooleanField(_l("允许登录"))
    is_inspector = BooleanField(_l("考察组成员（可查阅和记录个别谈话；仅限组织人员和系统管理员）"))

    def __init__(self, *args, role_labels, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = choices((role.value, role_labels[role]) for role in Role)
        self.unit_ids.choices = choices((unit.id, f"{unit.name}（{unit.category or '—'}）") for unit in units)

    def validate_unit_ids(self, field) -> None:
        _one_unit_for_a_reporter(self, field)
