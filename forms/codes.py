"""Forms of the codes pages: issue a batch, void one code, open a public link."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from forms.common import choices

MAX_BATCH = 5000
OUTPUTS = (("pdf", _l("PDF 纸条（打印后裁切）")), ("csv", _l("CSV 表格")), ("zip", _l("PDF 和 CSV（ZIP 压缩包）")))


class _GroupForm(FlaskForm):
    """A form that picks one of the survey's respondent groups (passed in as `groups`)."""

    group = SelectField(_l("评议主体"), coerce=int)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = choices((g.id, g.name) for g in groups)


class IssueCodesForm(_GroupForm):
    count = IntegerField(
        _l("数量"),
        validators=[InputRequired(_l("请填写数量")), NumberRange(1, MAX_BATCH, _l("每批 1 到 5000 个"))],
    )
    output = SelectField(_l("下载"), choices=choices(OUTPUTS), default="pdf")


class VoidCodeForm(FlaskForm):
    code = StringField(_l("评议码"), validators=[DataRequired(_l("请输入评议码")), Length(max=20)])


class OpenLinkForm(_GroupForm):
    pass
