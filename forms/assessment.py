"""Forms of the assessment pages: the plan and its rules, categories, components,
subjects, scores (one by one, pasted or uploaded), bonus and deduction items (typed or
uploaded), overrides."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField, TextAreaField
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
from forms.questionnaire import ServiceForm
from survey_app.models.assessment import AdjustmentKind, ComponentSource, PlanSubjectKind, grade_band_problems

KEY_PATTERN = Regexp(r"^[^\s,，]+$", message=_l("编号不能含空格或逗号"))
SUBJECT_KINDS = ((PlanSubjectKind.UNIT.value, _l("单位（绩效考评）")), (PlanSubjectKind.CADRE.value, _l("干部（年度考核）")))
SOURCES = ((ComponentSource.MANUAL.value, _l("手工录入（自评分、核验分）")),
           (ComponentSource.SURVEY.value, _l("关联评议活动的满意度指数")),
           (ComponentSource.TARGETS.value, _l("关联考核细则的指标考评得分（单位考核）")))
ADJUSTMENT_KINDS = ((AdjustmentKind.BONUS.value, _l("正向激励（加分）")),
                    (AdjustmentKind.DEDUCTION.value, _l("效能督查（扣分）")))
SCORE_FIELDS = (("verified_score", _l("核验分（计入综合得分）")), ("self_score", _l("自评分")))
DEFAULT_BANDS_TEXT = "称职, 70\n基本称职, 60\n不称职, 0"


def _score_field(label):
    return FloatField(label, validators=[Optional(), NumberRange(0, 100, _l("分数应在 0–100 之间"))])


def bands_text(bands: list[dict]) -> str:
    """Write grade bands as the lines the plan form edits."""
    return "\n".join(f"{b['label']}, {float(b['min']):g}" for b in bands)


def parse_bands(text: str | None) -> tuple[list[dict], list[str]]:
    """Read "等次, 最低分" lines; return the bands and the line errors."""
    bands, errors = [], []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        label, _sep, rest = line.replace("，", ",").partition(",")
        try:
            bands.append({"label": label.strip(), "min": float(rest)})
        except ValueError:
            errors.append(_("第 %(n)d 行：应为“等次, 最低分”", n=number))
    return bands, errors


class PlanForm(ServiceForm):
    title = StringField(_l("标题"), validators=[DataRequired(_l("请填写标题")), Length(max=200)])
    year = IntegerField(_l("年度"), validators=[
        InputRequired(_l("请填写年度")), NumberRange(2000, 2100, _l("年度应在 2000–2100 之间"))])
    quota_percent = IntegerField(_l("优秀比例上限（%）"), default=20, validators=[
        InputRequired(_l("请填写优秀比例")), NumberRange(0, 100, _l("比例应在 0–100 之间"))])
    raised_quota_percent = IntegerField(_l("符合提高条件的对象按此比例计（%，可空）"), validators=[
        Optional(), NumberRange(0, 100, _l("比例应在 0–100 之间"))])
    excellent_label = StringField(_l("最高等次"), default="优秀", validators=[
        DataRequired(_l("请填写最高等次的名称")), Length(max=20)])
    bands = TextAreaField(_l("其他等次及分数线（每行“等次, 最低分”，从高到低，最后一行为 0）"),
                          default=DEFAULT_BANDS_TEXT, validators=[DataRequired(_l("请填写等次")), Length(max=500)])
    bonus_cap = FloatField(_l("正向激励加分上限"), default=5.0, validators=[
        InputRequired(_l("请填写加分上限")), NumberRange(0, 100, _l("上限应在 0–100 之间"))])
    deduction_cap = FloatField(_l("效能督查扣分上限"), default=10.0, validators=[
        InputRequired(_l("请填写扣分上限")), NumberRange(0, 100, _l("上限应在 0–100 之间"))])
    veto_survey_id = SelectField(_l("否决依据：民主测评（不称职比例超过其阈值者不得评优）"), coerce=int, default=0,
                                 choices=[], invalid_choice_message=_l("请选择已发布或已结束的评议活动"))
    EXCLUDED = frozenset({"csrf_token", "bands"})

    def __init__(self, *args, surveys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.veto_survey_id.choices = choices(
            [(0, _l("（不设）"))] + [(s.id, f"{s.year} {s.title}") for s in surveys]
        )

    def validate_raised_quota_percent(self, field):
        if field.data is not None and self.quota_percent.data is not None and field.data < self.quota_percent.data:
            raise ValidationError(_l("提高后的比例不能低于一般比例"))

    def validate_bands(self, field):
        bands, errors = parse_bands(field.data)
        if not errors:
            errors = [_(problem) for problem in grade_band_problems(bands, self.excellent_label.data or "")]
        if errors:
            raise ValidationError("；".join(errors))

    def service_data(self) -> dict:
        data = super().service_data()
        data["grade_bands"] = parse_bands(self.bands.data)[0]
        data["veto_survey_id"] = data["veto_survey_id"] or None
        return data


class NewPlanForm(PlanForm):
    subject_kind = SelectField(_l("考核对象"), choices=choices(SUBJECT_KINDS), default=PlanSubjectKind.UNIT.value)

    def service_data(self) -> dict:
        return {**super().service_data(), "subject_kind": PlanSubjectKind(self.subject_kind.data)}


class CategoryForm(FlaskForm):
    name = StringField(_l("类别名称"), validators=[DataRequired(_l("请填写类别名称")), Length(max=50)])


class ComponentForm(ServiceForm):
    name = StringField(_l("考评项目"), validators=[DataRequired(_l("请填写考评项目名称")), Length(max=50)])
    weight = FloatField(_l("权重"), validators=[
        InputRequired(_l("请填写权重")), NumberRange(0, 1000, _l("权重应在 0–1000 之间"))])
    source = SelectField(_l("得分来源"), choices=choices(SOURCES), default=ComponentSource.MANUAL.value)
    survey_id = SelectField(_l("关联的评议活动"), coerce=int, default=0, choices=[],
                            invalid_choice_message=_l("请选择已发布或已结束的评议活动"))
    indicator_system_id = SelectField(_l("关联的考核细则"), coerce=int, default=0, choices=[],
                                      invalid_choice_message=_l("请选择已发布的考核细则"))

    def __init__(self, *args, surveys=(), systems=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.survey_id.choices = choices([(0, _l("（无）"))] + [(s.id, f"{s.year} {s.title}") for s in surveys])
        self.indicator_system_id.choices = choices(
            [(0, _l("（无）"))] + [(s.id, f"{s.year} {s.category} {s.title}") for s in systems])

    def validate_survey_id(self, field):
        if self.source.data == ComponentSource.SURVEY.value and not field.data:
            raise ValidationError(_l("来源为评议活动时，请选择评议活动"))

    def validate_indicator_system_id(self, field):
        if self.source.data == ComponentSource.TARGETS.value and not field.data:
            raise ValidationError(_l("来源为指标考评时，请选择考核细则"))

    def service_data(self) -> dict:
        data = super().service_data()
        data["source"] = ComponentSource(data["source"])
        data["survey_id"] = data["survey_id"] or None
        data["indicator_system_id"] = data["indicator_system_id"] or None
        return data


class SubjectForm(ServiceForm):
    key = StringField(_l("编号"), validators=[DataRequired(_l("请填写编号")), Length(max=64), KEY_PATTERN])
    name = StringField(_l("名称或姓名"), validators=[DataRequired(_l("请填写名称")), Length(max=100)])
    unit_name = StringField(_l("所在单位（单位考核可空，即本单位）"), validators=[Length(max=100)])
    category_id = SelectField(_l("类别"), coerce=int, choices=[], invalid_choice_message=_l("请选择类别"))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category_id.choices = choices((c.id, c.name) for c in categories)


class ImportSubjectsForm(FlaskForm):
    survey_id = SelectField(_l("从评议活动导入"), coerce=int, choices=[],
                            invalid_choice_message=_l("请选择评议活动"))

    def __init__(self, *args, surveys=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.survey_id.choices = choices((s.id, f"{s.year} {s.title}") for s in surveys)


def _reason_needed(flag: str, message):
    def check(form, field):
        if form[flag].data and not (field.data or "").strip():
            raise ValidationError(message)
    return check


class FlagsForm(ServiceForm):
    is_priority = BooleanField(_l("优先评优：在疫情防控、重点项目、乡村振兴、急难险重等工作中表现突出"))
    priority_reason = StringField(_l("突出表现"), validators=[
        Length(max=200), _reason_needed("is_priority", _l("请说明突出表现"))])
    meets_raised_condition = BooleanField(_l("符合提高优秀比例的条件（省级以上综合表彰、文明单位、绩效考评优秀等）"))
    raised_reason = StringField(_l("符合的条件"), validators=[
        Length(max=200), _reason_needed("meets_raised_condition", _l("请说明符合的条件"))])
    is_vetoed = BooleanField(_l("存在否决情形，不得评为优秀"))
    veto_reason = StringField(_l("否决理由"), validators=[
        Length(max=200), _reason_needed("is_vetoed", _l("请说明否决的理由"))])


class ScoreForm(FlaskForm):
    self_score = _score_field(_l("自评分"))
    verified_score = _score_field(_l("核验分"))


class BulkScoresForm(FlaskForm):
    component_id = SelectField(_l("考评项目"), coerce=int, choices=[], invalid_choice_message=_l("请选择考评项目"))
    field = SelectField(_l("录入"), choices=choices(SCORE_FIELDS), default="verified_score")
    lines = TextAreaField(_l("每行“编号或名称, 分数”（可从 Excel 复制两列粘贴）"),
                          validators=[DataRequired(_l("请至少填写一行")), Length(max=20000)])

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.component_id.choices = choices((c.id, f"{c.category.name} · {c.name}") for c in components)


class AdjustmentForm(ServiceForm):
    kind = SelectField(_l("类型"), choices=choices(ADJUSTMENT_KINDS), default=AdjustmentKind.BONUS.value)
    points = FloatField(_l("分值"), validators=[
        InputRequired(_l("请填写分值")), NumberRange(0, 100, _l("分值应大于 0，且不超过 100"))])
    reason = StringField(_l("事由（加分的成绩，或督查发现的问题）"),
                         validators=[DataRequired(_l("请填写事由")), Length(max=300)])
    document = StringField(_l("记录文件（扣分必填，如督查通报文号）"), validators=[Length(max=200)])

    def validate_points(self, field):
        if field.data is not None and field.data <= 0:
            raise ValidationError(_l("分值应大于 0，且不超过 100"))

    def validate_document(self, field):
        if self.kind.data == AdjustmentKind.DEDUCTION.value and not (field.data or "").strip():
            raise ValidationError(_l("扣分须注明记录该问题的文件（如督查通报文号）"))

    def service_data(self) -> dict:
        return {**super().service_data(), "kind": AdjustmentKind(self.kind.data)}


class OverrideForm(FlaskForm):
    grade = SelectField(_l("等次"), choices=[], invalid_choice_message=_l("等次不在本方案的等次之中"))
    reason = TextAreaField(_l("调整理由（必填，记入操作日志）"), validators=[
        DataRequired(_l("调整等次必须填写理由")), Length(max=500)])

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.grade.choices = choices((g, g) for g in grades)


def _workbook_field(label):
    return FileField(label, validators=[
        FileRequired(_l("请选择要上传的文件")),
        FileAllowed(["xlsx"], _l("只能上传 Excel 工作簿（.xlsx）文件")),
    ])


class ScoreImportForm(FlaskForm):
    component_id = SelectField(_l("考评项目"), coerce=int, choices=[], invalid_choice_message=_l("请选择考评项目"))
    workbook = _workbook_field(_l("分数文件（.xlsx）"))

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.component_id.choices = choices((c.id, f"{c.category.name}／{c.name}") for c in components)


class AdjustmentImportForm(FlaskForm):
    workbook = _workbook_field(_l("加减分文件（.xlsx）"))
