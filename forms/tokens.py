"""Form of the API tokens page: name a new token, its lifetime and the surveys it may read."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField(
        _l("令牌名称"),
        validators=[DataRequired(_l("请填写令牌名称")), Length(max=100, message=_l("最多 100 个字符"))],
    )
    days = SelectField(_l("有效期"), coerce=int)
    survey_ids = SelectMultipleField(_l("只允许读取这些问卷（不选：您能看到的全部问卷）"), coerce=int)

    def __init__(self, *args, lifetimes=(), surveys=(), **kwargs):
        """`lifetimes`: days offered, the default first; `surveys`: (id, title) the user may read."""
        super().__init__(*args, **kwargs)
        self.days.choices = [(days, _l("%(days)d 天", days=days)) for days in lifetimes]
        self.survey_ids.choices = list(surveys)
        if self.days.data is None and lifetimes:
            self.days.data = lifetimes[0]
