"""Forms of the cadre dossier: an evidence item (任务/进度/问题/成绩清单), its verification and
its removal. The choices' labels come in from the caller (services.dossiers' label maps)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.common import choices
from forms.questionnaire import ServiceForm

DATE_MESSAGE = _l("请按“年-月-日”填写有效日期")


class EvidenceForm(ServiceForm):
    kind = SelectField(_l("清单"), validators=[InputRequired(_l("请选择清单类别（任务、进度、问题、成绩）"))],
                       invalid_choice_message=_l("请选择清单类别（任务、进度、问题、成绩）"))
    title = StringField(_l("事项"), validators=[DataRequired(_l("请填写事项")), Length(max=200)])
    detail = TextAreaField(_l("情况说明"), validators=[Length(max=5000)])
    occurred_on = DateField(_l("日期"), validators=[InputRequired(DATE_MESSAGE)], format="%Y-%m-%d",
                            invalid_value_message=DATE_MESSAGE)
    due_on = DateField(_l("完成时限（可空）"), validators=[Optional()], format="%Y-%m-%d",
                       invalid_value_message=DATE_MESSAGE)
    source = SelectField(_l("来源"), validators=[InputRequired(_l("请选择来源"))],
                         invalid_choice_message=_l("请选择来源"))
    attachments = TextAreaField(_l("附件材料（每行一条：文号、档案号或存放位置）"), validators=[Length(max=5000)])

    def __init__(self, *args, kinds=(), sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((kind.value, label) for kind, label in kinds)
        self.source.choices = choices((source.value, label) for source, label in sources)


class VerifyForm(ServiceForm):
    status = SelectField(_l("核实结果"), validators=[InputRequired(_l("请选择核实结果"))],
                         invalid_choice_message=_l("请选择核实结果"))
    note = TextAreaField(_l("核实情况（存疑、不属实时必填）"), validators=[Length(max=500)])

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = choices((status.value, label) for status, label in statuses)


class RemoveForm(ServiceForm):
    reason = StringField(_l("删除原因"), validators=[DataRequired(_l("请写明删除原因")), Length(max=300)])
