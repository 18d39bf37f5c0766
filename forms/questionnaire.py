"""Builder forms: survey settings and each kind of survey item.

Each form's `service_data()` returns the plain dict its service takes (no CSRF token,
no helper fields), so views hand services data, never forms.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from forms.common import choices
from survey_app.models.base import QuestionKind, SubjectKind, SurveyKind
from survey_app.timezones import local_to_utc, utc_to_local

KEY_PATTERN = Regexp(r"^[A-Za-z0-9_\-]+$", message=_l("只能使用字母、数字、下划线和连字符"))
SCALE_CHOICES = choices([
    ("competence", _l("优秀 / 称职 / 基本称职 / 不称职")),
    ("quality", _l("好 / 较好 / 一般 / 差")),
    ("satisfaction3", _l("满意 / 基本满意 / 不满意")),
    ("satisfaction5", _l("非常满意 … 非常不满意（5 级）")),
    ("score", _l("0–100 分")),
])


def _enum_choices(enum_cls, labels):
    return choices((member.value, labels[member]) for member in enum_cls)


class ServiceForm(FlaskForm):
    """A form whose data goes to a service as a plain dict."""

    EXCLUDED = frozenset({"csrf_token"})

    def service_data(self) -> dict:
        # A text field missing from the request reads None; the columns want "" (NOT NULL).
        return {
            field.short_name: "" if field.data is None and isinstance(field, StringField) else field.data
            for field in self
            if field.short_name not in self.EXCLUDED
        }


class SurveySettingsForm(ServiceForm):
    title = StringField(_l("标题"), validators=[DataRequired(_l("请填写标题")), Length(max=200)])
    year = IntegerField(_l("年度"), validators=[InputRequired(_l("请填写年度")), NumberRange(2000, 2100, _l("年度应在 2000–2100 之间"))])
    instructions = TextAreaField(_l("填写说明"), validators=[Length(max=5000)])
    opens_at = DateTimeLocalField(_l("开始时间"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("结束时间"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    is_anonymous = BooleanField(_l("匿名评议（不记录评议人）"))
    excellent_cap_percent = IntegerField(
        _l("评优比例上限（%）"), validators=[Optional(), NumberRange(1, 100, _l("应在 1–100 之间"))]
    )
    trim_extremes = BooleanField(_l("去掉一个最高分和一个最低分（每组不少于 5 人时）"))
    subject_comments = BooleanField(_l("每位评议对象附“意见建议”栏（选填）"))
    disagreement_gap = FloatField(_l("分歧提示阈值（分）"), validators=[InputRequired(), NumberRange(0, 100)])

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("结束时间必须晚于开始时间"))

    def service_data(self) -> dict:
        data = super().service_data()
        data["opens_at"] = local_to_utc(data["opens_at"])
        data["closes_at"] = local_to_utc(data["closes_at"])
        return data

    def show_local_times(self) -> None:
        """Turn the stored UTC times loaded from the survey into local times for display."""
        self.opens_at.data = utc_to_local(self.opens_at.data)
        self.closes_at.data = utc_to_local(self.closes_at.data)


class NewSurveyForm(SurveySettingsForm):
    kind = SelectField(_l("评议类型"), choices=[], validators=[DataRequired()])
    template = SelectField(_l("起点"), choices=[], validators=[DataRequired()])
    scale = SelectField(_l("评价等级"), choices=SCALE_CHOICES, default="competence")
    with_unknown = BooleanField(_l("提供“不了解”选项（不计分）"), default=True)
    EXCLUDED = frozenset({"csrf_token", "template", "scale", "with_unknown"})

    def __init__(self, *args, kind_labels, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _enum_choices(SurveyKind, kind_labels)
        self.template.choices = choices(templates)

    #: Fields a template already sets; sent only for a blank survey.
    TEMPLATE_FIELDS = (
        "kind", "is_anonymous", "excellent_cap_percent", "trim_extremes", "disagreement_gap", "subject_comments",
    )

    def service_data(self) -> dict:
        return {**super().service_data(), "kind": SurveyKind(self.kind.data)}

    def template_overrides(self) -> dict:
        """Return what the user chose that a template must not overwrite with defaults."""
        data = self.service_data()
        overrides = {key: value for key, value in data.items() if key not in self.TEMPLATE_FIELDS}
        return {key: value for key, value in overrides.items() if value not in (None, "")}


def require_unit_for_category(unit_name, category) -> None:
    """A 单位类别 belongs to a unit: without 所在单位 it would be dropped, so say so."""
    if (category.data or "").strip() and not (unit_name.data or "").strip():
        raise ValidationError(_l("填写单位类别时必须同时填写所在单位"))


class SubjectForm(ServiceForm):
    key = StringField(_l("编号"), validators=[DataRequired(_l("请填写编号")), Length(max=64), KEY_PATTERN])
    name = StringField(_l("姓名或名称"), validators=[DataRequired(_l("请填写姓名或名称")), Length(max=100)])
    kind = SelectField(_l("类别"), choices=[], default=SubjectKind.CADRE.value)
    unit_name = StringField(_l("所在单位"), validators=[Length(max=100)])
    unit_category = StringField(_l("单位类别"), validators=[Length(max=50)])
    position_title = StringField(_l("职务"), validators=[Length(max=100)])
    predecessor_key = StringField(_l("前任编号"), validators=[Optional(), Length(max=64), KEY_PATTERN])

    def __init__(self, *args, kind_labels, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _enum_choices(SubjectKind, kind_labels)

    def validate_unit_category(self, field):
        require_unit_for_category(self.unit_name, field)

    def service_data(self) -> dict:
        data = super().service_data()
        data["kind"] = SubjectKind(data["kind"])
        data["predecessor_key"] = data["predecessor_key"] or None
        return data


class BulkSubjectsForm(FlaskForm):
    lines = TextAreaField(
        _l("名单（每行一个：名称, 职务, 编号, 类别, 所在单位, 单位类别；后几列可省略）"),
        validators=[DataRequired(_l("请至少填写一行")), Length(max=20000)],
    )
    kind = SelectField(_l("默认类别"), choices=[], default=SubjectKind.CADRE.value)
    unit_name = StringField(_l("默认所在单位"), validators=[Length(max=100)])
    unit_category = StringField(_l("默认单位类别"), validators=[Length(max=50)])

    def __init__(self, *args, kind_labels, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _enum_choices(SubjectKind, kind_labels)

    def defaults(self) -> dict:
        """What lines leaving 类别, 所在单位 or 单位类别 blank take."""
        return {"kind": SubjectKind(self.kind.data), "unit_name": self.unit_name.data or "",
                "unit_category": self.unit_category.data or ""}


class BulkEditSubjectsForm(FlaskForm):
    """Change the kind, unit or unit category of the ticked subjects at once; a blank
    field leaves that attribute as it is."""

    subject_ids = SelectMultipleField(
        _l("评议对象"), coerce=int, choices=[], invalid_choice_message=_l("所选评议对象不属于本问卷"),
        validators=[DataRequired(_l("请先勾选要修改的评议对象"))],
    )
    kind = SelectField(_l("类别改为"), choices=[], default="")
    unit_name = StringField(_l("所在单位改为"), validators=[Length(max=100)])
    unit_category = StringField(_l("单位类别改为"), validators=[Length(max=50)])

    def __init__(self, *args, kind_labels, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([("", _l("（不修改）"))] + [(k.value, kind_labels[k]) for k in SubjectKind])
        self.subject_ids.choices = choices((s.id, s.name) for s in subjects)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.changes():
            self.kind.errors = [*self.kind.errors, _l("请至少选择一项要修改的内容（类别、所在单位或单位类别）")]
            return False
        return valid

    def changes(self) -> dict:
        """Only what the user chose to change."""
        changes = {}
        if self.kind.data:
            changes["kind"] = SubjectKind(self.kind.data)
        for name in ("unit_name", "unit_category"):
            if (getattr(self, name).data or "").strip():
                changes[name] = getattr(self, name).data.strip()
        return changes


class DimensionForm(ServiceForm):
    name = StringField(_l("维度名称"), validators=[DataRequired(_l("请填写维度名称")), Length(max=100)])
    description = StringField(_l("说明"), validators=[Length(max=300)])
    weight = FloatField(_l("权重"), default=1.0, validators=[InputRequired(_l("请填写权重")), NumberRange(0, 1000, _l("权重应在 0–1000 之间"))])


#: What an option marks in the results (ScaleOption.role); "" is none.
SCALE_ROLE_CHOICES = choices([
    ("", _l("—")),
    ("top", _l("最好等次（如优秀率、满意率）")),
    ("pass", _l("及格线（如称职及以上）")),
    ("negative", _l("差评线（如不称职率、不满意率）")),
])


def _role_or_blank(value) -> str:
    return "" if value is None else str(value)


class ScaleOptionForm(ServiceForm):
    label = StringField(_l("选项"), validators=[DataRequired(_l("请填写选项文字")), Length(max=50)])
    score = FloatField(_l("分值（0–100）"), validators=[Optional(), NumberRange(0, 100, _l("分值应在 0–100 之间"))])
    is_unknown = BooleanField(_l("“不了解”类选项（不计分）"))
    role = SelectField(_l("结果中标记为"), choices=SCALE_ROLE_CHOICES, coerce=_role_or_blank, default="")

    def service_data(self) -> dict:
        data = super().service_data()
        data["role"] = data["role"] or None
        return data

    def validate(self, extra_validators=None) -> bool:
        # Optional() ends the field's own chain on an empty score, so check it here.
        valid = super().validate(extra_validators)
        if valid and self.score.data is None and not self.is_unknown.data:
            self.score.errors = [*self.score.errors, _l("计分选项需要 0–100 的分值")]
            return False
        return valid


class ScalePresetForm(FlaskForm):
    # "custom" only names the active scale when it is no preset; it cannot be applied.
    scale = SelectField(_l("评价等级"), choices=[*SCALE_CHOICES, *choices([("custom", _l("自定义等级（当前）"))])])
    with_unknown = BooleanField(_l("提供“不了解”选项（不计分）"), default=True)


class GroupForm(ServiceForm):
    key = StringField(_l("代码"), validators=[DataRequired(_l("请填写代码")), Length(max=32), KEY_PATTERN])
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称")), Length(max=50)])
    weight = FloatField(_l("权重"), default=1.0, validators=[InputRequired(_l("请填写权重")), NumberRange(0, 1000, _l("权重应在 0–1000 之间"))])
    min_size = IntegerField(_l("最少人数（少于此数不单独报告）"), default=3, validators=[InputRequired(), NumberRange(1, 1000, _l("应在 1–1000 之间"))])
    expected_count = IntegerField(_l("应参加人数"), default=0, validators=[InputRequired(), NumberRange(0, 1_000_000, _l("不能为负数"))])
    rates_all_subjects = BooleanField(_l("评议全部对象"), default=True)
    subject_ids = SelectMultipleField(
        _l("只评议这些对象"), coerce=int, choices=[], invalid_choice_message=_l("所选评议对象不属于本问卷")
    )
    EXCLUDED = frozenset({"csrf_token", "subject_ids"})

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject_ids.choices = choices((s.id, f"{s.name}（{s.key}）") for s in subjects)

    def validate_subject_ids(self, field):
        if not self.rates_all_subjects.data and not field.data:
            raise ValidationError(_l("请至少选择一个评议对象，或勾选“评议全部对象”"))


class QuestionForm(ServiceForm):
    kind = SelectField(_l("题型"), choices=[])
    prompt = StringField(_l("题目"), validators=[DataRequired(_l("请填写题目")), Length(max=500)])
    is_required = BooleanField(_l("必答"))
    options_text = TextAreaField(_l("选项（每行一个）"), validators=[Length(max=5000)])
    show_if_question_id = SelectField(_l("仅当此题…"), coerce=int, choices=[], default=0)
    show_if_values_text = StringField(_l("…的答案为（多个用逗号分隔）"), validators=[Length(max=500)])
    EXCLUDED = frozenset({"csrf_token", "options_text", "show_if_values_text"})

    def __init__(self, *args, kind_labels, earlier_questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _enum_choices(QuestionKind, kind_labels)
        self.show_if_question_id.choices = choices(
            [(0, _l("（总是显示）"))] + [(q.id, q.prompt) for q in earlier_questions]
        )

    def service_data(self) -> dict:
        data = super().service_data()
        data["kind"] = QuestionKind(data["kind"])
        data["options"] = _split(self.options_text.data, "\n")
        data["show_if_question_id"] = data["show_if_question_id"] or None
        data["show_if_values"] = _split(self.show_if_values_text.data, ",，")
        return data


def _split(text: str | None, separators: str) -> list[str]:
    for separator in separators[1:]:
        text = (text or "").replace(separator, separators[0])
    return [part.strip() for part in (text or "").split(separators[0]) if part.strip()]
