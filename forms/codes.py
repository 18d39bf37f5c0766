"""Forms of the codes pages: issue a batch, void one code, open a public link, declare a venue."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from forms.common import choices
from survey_app.timezones import local_to_utc

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


class VenueForm(FlaskForm):
    """A hall's network and the meeting's window, in local time (the service checks the rest)."""

    label = StringField(_l("会场名称"), validators=[DataRequired(_l("请填写会场名称")), Length(max=100)])
    network = StringField(_l("会场出口地址或网段"), validators=[DataRequired(_l("请填写地址或网段")), Length(max=64)])
    starts_at = DateTimeLocalField(_l("开始时间"), validators=[InputRequired(_l("请填写开始时间"))],
                                   format="%Y-%m-%dT%H:%M")
    ends_at = DateTimeLocalField(_l("结束时间"), validators=[InputRequired(_l("请填写结束时间"))],
                                 format="%Y-%m-%dT%H:%M")

    def service_data(self) -> dict:
        return {"label": self.label.data, "network": self.network.data,
                "starts_at": local_to_utc(self.starts_at.data), "ends_at": local_to_utc(self.ends_at.data)}
