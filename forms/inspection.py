"""Forms of key projects (重点项目) and their milestones (关键节点). Choices come in from the
caller; the service checks every rule again and words the problems (services/inspection)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from forms.common import choices
from forms.questionnaire import ServiceForm

DATE_MESSAGE = _l("请按“年-月-日”填写有效日期")


class _Checkboxes(SelectMultipleField):
    """Several choices as checkboxes: easier than a multiple select on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProjectForm(ServiceForm):
    name = StringField(_l("项目名称"), validators=[Length(max=200)])
    level = SelectField(_l("级别"), validate_choice=False)
    status = SelectField(_l("状态"), validate_choice=False)
    starts_on = DateField(_l("开始日期"), validators=[Optional()], format="%Y-%m-%d",
                          invalid_value_message=DATE_MESSAGE)
    description = TextAreaField(_l("项目简介"), validators=[Length(max=5000)])
    unit_ids = _Checkboxes(_l("服务部门"), coerce=int, validate_choice=False)
    cadre_keys = TextAreaField(_l("挂钩干部编号（用逗号、空格或换行分隔）"), validators=[Length(max=2000)])

    def __init__(self, *args, levels=(), statuses=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = choices((level.value, label) for level, label in levels)
        self.status.choices = choices((status.value, label) for status, label in statuses)
        self.unit_ids.choices = choices((unit.id, unit.name) for unit in units)


class MilestoneForm(ServiceForm):
    name = StringField(_l("节点名称"), validators=[Length(max=200)])
    planned_on = DateField(_l("计划完成日期"), validators=[Optional()], format="%Y-%m-%d",
                           invalid_value_message=DATE_MESSAGE)
    actual_on = DateField(_l("实际完成日期（未完成留空）"), validators=[Optional()], format="%Y-%m-%d",
                          invalid_value_message=DATE_MESSAGE)
    weight = FloatField(_l("权重"), default=1.0, validators=[Optional()],
                        render_kw={"step": "any", "inputmode": "decimal"})
    position = IntegerField(_l("顺序（可空）"), validators=[Optional()])


class ActualForm(ServiceForm):
    actual_on = DateField(_l("实际完成日期"), validators=[Optional()], format="%Y-%m-%d",
                          invalid_value_message=DATE_MESSAGE)
