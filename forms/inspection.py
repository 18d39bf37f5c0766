"""Forms of key projects (重点项目), their milestones (关键节点) and visits (考察纪实, with a
first finding, the 蹲点 daily log and photos). Choices come in from the caller; the service
checks every rule again and words the problems (services/inspection, services/dossier/findings)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    MultipleFileField,
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


class VisitForm(ServiceForm):
    """A visit in one form, made for a phone on site: today prefilled, methods as chips,
    the photos and a first finding optional in the same form."""

    EXCLUDED = frozenset({"csrf_token", "photos", "more_cadre_keys", "finding_subject_key", "finding_kind",
                          "finding_title", "finding_detail"})

    unit_ids = _Checkboxes(_l("被考察单位"), coerce=int, validate_choice=False)
    starts_on = DateField(_l("考察日期"), validators=[Optional()], format="%Y-%m-%d",
                          invalid_value_message=DATE_MESSAGE)
    ends_on = DateField(_l("结束日期（蹲点调研填写，一天的考察留空）"), validators=[Optional()], format="%Y-%m-%d",
                        invalid_value_message=DATE_MESSAGE)
    hours = FloatField(_l("时长（小时）"), validators=[Optional()],
                       render_kw={"step": "0.5", "inputmode": "decimal", "min": "0.5", "max": "24"})
    methods = _Checkboxes(_l("考察方式"), validate_choice=False)
    announced = BooleanField(_l("事先通知被考察单位"), default=True)
    cadre_keys = _Checkboxes(_l("涉及干部"), validate_choice=False)
    more_cadre_keys = StringField(_l("其他干部编号（用逗号或空格分隔）"), validators=[Length(max=2000)])
    project_id = SelectField(_l("重点项目（可选）"), validate_choice=False)
    title = StringField(_l("标题（可空：按单位自动生成）"), validators=[Length(max=200)])
    team = StringField(_l("考察组成员"), validators=[Length(max=300)])
    summary = TextAreaField(_l("考察情况"), validators=[Length(max=5000)])
    photos = MultipleFileField(_l("现场照片"), render_kw={"accept": "image/*", "capture": "environment"})
    finding_subject_key = SelectField(_l("发现涉及的干部"), validate_choice=False)
    finding_kind = SelectField(_l("记入清单"), validate_choice=False)
    finding_title = StringField(_l("发现事项"), validators=[Length(max=200)])
    finding_detail = TextAreaField(_l("情况说明"), validators=[Length(max=5000)])

    def __init__(self, *args, units=(), methods=(), cadres=(), projects=(), kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_ids.choices = choices((unit.id, unit.name) for unit in units)
        self.methods.choices = choices(methods)
        self.cadre_keys.choices = choices(cadres)
        self.project_id.choices = choices([("", _l("（无）"))] + [(str(p.id), p.name) for p in projects])
        self.finding_subject_key.choices = choices([("", _l("（选择干部）"))] + list(cadres))
        self.finding_kind.choices = choices([("", _l("（不记录发现）"))] + list(kinds))

    def service_data(self) -> dict:
        data = super().service_data()
        data["cadre_keys"] = list(self.cadre_keys.data or ()) + [self.more_cadre_keys.data or ""]
        return data

    def finding_data(self) -> dict | None:
        """The first finding, or None when none was begun (no list, title or detail)."""
        if not (self.finding_kind.data or (self.finding_title.data or "").strip()
                or (self.finding_detail.data or "").strip()):
            return None
        return {"subject_key": self.finding_subject_key.data, "kind": self.finding_kind.data,
                "title": self.finding_title.data, "detail": self.finding_detail.data}


class FindingForm(ServiceForm):
    subject_key = SelectField(_l("涉及的干部"), validate_choice=False)
    kind = SelectField(_l("记入清单"), validate_choice=False)
    title = StringField(_l("发现事项"), validators=[Length(max=200)])
    detail = TextAreaField(_l("情况说明"), validators=[Length(max=5000)])
    source = SelectField(_l("来源（默认按考察方式）"), validate_choice=False)
    occurred_on = DateField(_l("日期（默认考察首日）"), validators=[Optional()], format="%Y-%m-%d",
                            invalid_value_message=DATE_MESSAGE)

    def __init__(self, *args, cadres=(), kinds=(), sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.subject_key.choices = choices([("", _l("（选择干部）"))] + list(cadres))
        self.kind.choices = choices([("", _l("（选择清单）"))] + list(kinds))
        self.source.choices = choices([("", _l("（按考察方式）"))] + list(sources))


class VisitDayForm(ServiceForm):
    day = DateField(_l("日期"), validators=[Optional()], format="%Y-%m-%d", invalid_value_message=DATE_MESSAGE)
    log = TextAreaField(_l("当天纪实"), validators=[Length(max=5000)])


class PhotosForm(ServiceForm):
    photos = MultipleFileField(_l("现场照片"), render_kw={"accept": "image/*", "capture": "environment"})
    caption = StringField(_l("照片说明"), validators=[Length(max=200)])
