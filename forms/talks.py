"""The form of a confidential talk (个别谈话). Choices come in from the caller; the service
checks every rule again and words the problems (services/inspection/talks.py)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from forms.common import choices
from forms.questionnaire import ServiceForm

DATE_MESSAGE = _l("请按“年-月-日”填写有效日期")


class TalkForm(ServiceForm):
    subject_key = StringField(_l("干部编号"), validators=[Length(max=64)])
    held_on = DateField(_l("谈话日期"), validators=[Optional()], format="%Y-%m-%d", invalid_value_message=DATE_MESSAGE)
    relation = SelectField(_l("谈话对象与干部的关系"), validate_choice=False)
    person_name = StringField(_l("谈话对象姓名（可不填：默认只记关系，不记姓名）"), validators=[Length(max=100)])
    place = StringField(_l("地点"), validators=[Length(max=200)])
    visit_id = SelectField(_l("所属考察记录（可不选）"), validate_choice=False,
                           coerce=lambda value: int(value) if value not in (None, "", "None") else None)
    summary = TextAreaField(_l("谈话要点"), validators=[Length(max=5000)])

    def __init__(self, *args, relations=(), visits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.relation.choices = choices((relation.value, label) for relation, label in relations)
        self.visit_id.choices = choices([("", _l("（不属于某次考察）")), *visits])
