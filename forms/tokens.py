"""Form of the API tokens page: name a new token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class TokenForm(FlaskForm):
    name = StringField(
        _l("令牌名称"),
        validators=[DataRequired(_l("请填写令牌名称")), Length(max=100, message=_l("最多 100 个字符"))],
    )
