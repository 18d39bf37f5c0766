"""Forms of the registers of 正向激励 and 效能督查. Choices come in from the caller; the
service checks every rule again and words the problems (services/targets/registers.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from forms.common import choices
from forms.questionnaire import ServiceForm

DATE_MESSAGE = _l("请按“年-月-日”填写有效日期")


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class EntryForm(ServiceForm):
    kind = SelectField(_l("类型"), validate_choice=False)
    unit_id = SelectField(_l("单位"), coerce=_int_or_none, validate_choice=False)
    year = StringField(_l("年度"), render_kw={"inputmode": "numeric"})
    occurred_on = DateField(_l("日期"), validators=[Optional()], format="%Y-%m-%d",
                            invalid_value_message=DATE_MESSAGE)
    source = SelectField(_l("来源"), validate_choice=False)
    title = StringField(_l("标题"), validators=[Length(max=200)])
    points = StringField(_l("分值"), render_kw={"inputmode": "decimal"})
    document = StringField(_l("文号或依据（扣分：督查通报文号；加分：表彰文件或批示）"), validators=[Length(max=200)])
    finding = TextAreaField(_l("督查发现的问题（扣分必填）"), validators=[Length(max=5000)])
    detail = TextAreaField(_l("详细情况"), validators=[Length(max=5000)])

    def __init__(self, *args, kinds=(), units=(), sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices((kind.value, label) for kind, label in kinds)
        self.unit_id.choices = choices((unit.id, unit.name) for unit in units)
        self.source.choices = choices((source.value, label) for source, label in sources)


class NoteForm(ServiceForm):
    note = TextAreaField(_l("说明"), validators=[Length(max=500)])


class EvidenceForm(FlaskForm):
    files = MultipleFileField(_l("证明材料（PDF 或图片，可多选）"))
