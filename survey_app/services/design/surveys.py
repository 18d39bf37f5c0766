"""Survey design: settings, structure edits, scale presets and publication checks (the
lifecycle steps themselves are services/results/lifecycle.py).

A published survey's structure is locked (as LimeSurvey's activation locks it): only
wording may change, so ballots already cast keep meaning what their respondents saw.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from survey_app.errors import StructureLocked, ValidationFailed
from survey_app.extensions import db
from survey_app.models import (
    SCALE_ROLES,
    Ballot,
    Dimension,
    Question,
    QuestionKind,
    RespondentGroup,
    ScaleKind,
    ScaleOption,
    Subject,
    SubjectKind,
    Survey,
    SurveyStatus,
    Unit,
    User,
)
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation

#: Scale presets: key → (label, score) pairs, best first. 不了解 is added on request.
SCALE_PRESETS: dict[str, tuple[tuple[str, float], ...]] = {
    "competence": (("优秀", 100), ("称职", 80), ("基本称职", 60), ("不称职", 0)),
    "quality": (("好", 100), ("较好", 80), ("一般", 60), ("差", 0)),
    "satisfaction3": (("满意", 100), ("基本满意", 60), ("不满意", 0)),
    "satisfaction5": (
        ("非常满意", 100), ("满意", 80), ("一般", 60), ("不满意", 40), ("非常不满意", 0),
    ),
}
#: The figures each preset reports (ScaleOption.role): the 优秀率/满意率 option, the lowest
#: passing one (称职及以上) and the mildest negative one (不称职率, 不满意及以下).
PRESET_ROLES: dict[str, dict[str, str]] = {
    "competence": {"优秀": "top", "称职": "pass", "不称职": "negative"},
    "quality": {"好": "top", "较好": "pass", "差": "negative"},
    "satisfaction3": {"满意": "top", "基本满意": "pass", "不满意": "negative"},
    "satisfaction5": {"非常满意": "top", "满意": "pass", "不满意": "negative"},
}
UNKNOWN_LABEL = "不了解"
#: Which survey collection holds each kind of item.
_COLLECTION_OF = {
    Subject: "subjects",
    Dimension: "dimensions",
    ScaleOption: "scale_options",
    RespondentGroup: "groups",
    Question: "questions",
}

#: Fields that are wording only, editable after publication.
WORDING_FIELDS = {
    Survey: {"title", "instructions", "closes_at"},
    Subject: {"name", "position_title"},
    Dimension: {"name", "description"},
    # A role only names which figures the results report: it changes no ballot.
    ScaleOption: {"label", "role"},
    RespondentGroup: {"name", "expected_count"},
    Question: {"prompt"},
}


def require_not_archived(survey: Survey) -> None:
    """An archived survey is frozen: its checksum covers its names and ballots."""
    if survey.status is SurveyStatus.ARCHIVED:
        raise StructureLocked(_("评议已归档，内容不能再修改"))


def _apply(entity: Any, data: Mapping[str, Any], survey: Survey) -> dict[str, Any]:
    """Set changed attributes; refuse structural changes on a locked survey."""
    changed = {key: value for key, value in data.items() if getattr(entity, key) != value}
    if changed:
        require_not_archived(survey)
    if survey.is_structure_locked:
        structural = set(changed) - WORDING_FIELDS[type(entity)]
        if structural:
            raise StructureLocked(_("问卷已发布，结构已锁定，只能修改文字"))
    for key, value in changed.items():
        setattr(entity, key, value)
    return {key: str(value) for key, value in changed.items()}


def _check_unique_name(items: Iterable[Any], attr: str, value: str, item: Any, what: str) -> None:
    """Refuse a second item with the same name: results and exports are keyed by it."""
    if any(getattr(other, attr) == value and other is not item for other in items):
        raise ValidationFailed(_("%(what)s“%(name)s”已存在", what=_(what), name=value))


def _require_draft(survey: Survey) -> None:
    if survey.is_structure_locked:
        raise StructureLocked(_("问卷已发布，结构已锁定，只能修改文字"))


def _next_position(items: Iterable[Any]) -> int:
    return max((item.position for item in items), default=-1) + 1


def apply_preset_roles(options: list[ScaleOption]) -> None:
    """Give a scale without roles its preset's roles when its scored labels are a preset's
    (a definition file written before roles existed); any other scale keeps none."""
    if any(o.role for o in options):
        return
    scored = [o.label.strip() for o in options if not o.is_unknown]
    for preset, pairs in SCALE_PRESETS.items():
        if sorted(scored) == sorted(label for label, _score in pairs):
            for option in options:
                option.role = None if option.is_unknown else PRESET_ROLES[preset].get(option.label.strip())
            return


def active_preset(survey: Survey) -> str:
    """The preset the survey's scale is ("score" for typed scores), or "custom" when its
    scored options (labels and scores) are no preset's: what the builder's selector shows."""
    if survey.scale_kind is ScaleKind.SCORE:
        return "score"
    scored = sorted((o.label, o.score) for o in survey.scale_options if not o.is_unknown)
    for preset, pairs in SCALE_PRESETS.items():
        if scored == sorted((label, float(score)) for label, score in pairs):
            return preset
    return "custom"


def scale_options_from_preset(preset: str, with_unknown: bool) -> list[ScaleOption]:
    """Return new ScaleOption rows for a preset, 不了解 last when asked."""
    if preset not in SCALE_PRESETS:
        raise ValidationFailed(_("未知的评价等级预设"))
    options = [
        ScaleOption(label=label, score=score, position=index, role=PRESET_ROLES[preset].get(label))
        for index, (label, score) in enumerate(SCALE_PRESETS[preset])
    ]
    if with_unknown:
        options.append(ScaleOption(label=UNKNOWN_LABEL, score=None, is_unknown=True, position=len(options)))
    return options


# ---- survey ---------------------------------------------------------------------------


def create_survey(data: Mapping[str, Any], actor: User, *, preset: str = "competence", with_unknown: bool = True) -> Survey:
    """Create a draft survey with a preset scale (no subjects, dimensions or groups yet)."""
    survey = Survey(**{"scale_kind": ScaleKind.OPTIONS, **data}, status=SurveyStatus.DRAFT)
    if survey.scale_kind is ScaleKind.OPTIONS:
        survey.scale_options = scale_options_from_preset(preset, with_unknown)
    db.session.add(survey)
    db.session.flush()
    audit.record(actor, "survey.create", "survey", survey.id, title=survey.title)
    return survey


def update_survey(survey: Survey, data: Mapping[str, Any], actor: User) -> None:
    """Change a survey's settings; after publication only its wording."""
    opens, closes = data.get("opens_at", survey.opens_at), data.get("closes_at", survey.closes_at)
    if opens and closes and closes <= opens:
        raise ValidationFailed(_("结束时间必须晚于开始时间"))
    changed = _apply(survey, data, survey)
    if changed:
        audit.record(actor, "survey.update", "survey", survey.id, **changed)


def missing_parts(survey: Survey) -> list[str]:
    """Name the kinds of items a new survey still lacks (a template brings some along)."""
    parts = (("评议对象", survey.subjects), ("评价维度", survey.dimensions), ("评议主体", survey.groups))
    return [_(label) for label, items in parts if not items]


def publication_problems(survey: Survey) -> list[str]:
    """List what keeps a survey from being published (empty when it is ready)."""
    problems = []
    if not survey.subjects:
        problems.append("至少需要一个评议对象")
    if not survey.dimensions:
        problems.append("至少需要一个评价维度")
    if not survey.groups:
        problems.append("至少需要一个评议主体")
    if survey.scale_kind is ScaleKind.OPTIONS and not any(not o.is_unknown for o in survey.scale_options):
        problems.append("评价等级至少需要一个计分选项")
    if sum(d.weight for d in survey.dimensions) <= 0 and survey.dimensions:
        problems.append("评价维度的权重之和必须大于 0")
    for group in survey.groups:
        if not group.rates_all_subjects and not group.rated_subjects:
            problems.append(_("评议主体“%(name)s”没有指定评议对象", name=group.name))
    return problems


def delete_survey(survey: Survey, actor: User, *, confirmed: bool = True) -> None:
    """Delete a draft survey that has no ballots."""
    require_confirmation(confirmed)
    _require_draft(survey)
    if db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.survey_id == survey.id)):
        raise ValidationFailed(_("已有答卷的问卷不能删除"))
    audit.record(actor, "survey.delete", "survey", survey.id, title=survey.title)
    db.session.delete(survey)


def _count_phrase(survey: Survey) -> str:
    return _(
        "%(subjects)d 个评议对象、%(dimensions)d 个评价维度、%(options)d 个评价等级选项、"
        "%(groups)d 个评议主体、%(questions)d 个附加题目",
        subjects=len(survey.subjects), dimensions=len(survey.dimensions), options=len(survey.scale_options),
        groups=len(survey.groups), questions=len(survey.questions),
    )


def _ballot_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.survey_id == survey.id)) or 0


def status_consequences(survey: Survey, action: str) -> list[str]:
    """Say, in the user's language, what a lifecycle step or deletion locks or destroys."""
    if action == "publish":
        return [
            _("结构将被锁定：%(counts)s 都不能再增删或改动，只能修改文字。", counts=_count_phrase(survey)),
            _("发布后不能退回草稿，也不能再删除这次评议。"),
        ]
    if action == "close":
        return [
            _("评议人将不能再提交答卷（之后可以重新开放）。"),
            _("已收到的 %(n)d 份答卷将被封存：存储中与评议码的关联被清除，重新开放也不会恢复。",
              n=_ballot_count(survey)),
        ]
    if action == "archive":
        return [
            _("归档后问卷内容和 %(n)d 份答卷全部冻结，不能再修改，也不能重新开放。", n=_ballot_count(survey)),
            _("系统将记录答卷的校验值，以后任何改动都能被发现。"),
        ]
    if action == "reopen":
        return [_("评议人将可以继续提交答卷。")]
    if action == "delete":
        return [_("草稿“%(title)s”及其 %(counts)s 将被永久删除，不能恢复。",
                  title=survey.title, counts=_count_phrase(survey))]
    raise ValidationFailed(_("未知的操作"))


def removal_consequences(item: Any) -> list[str]:
    """Say what removing a builder item deletes with it."""
    name = getattr(item, "name", None) or getattr(item, "label", None) or getattr(item, "prompt", "")
    lines = [_("“%(name)s”将从问卷中删除，不能恢复。", name=name)]
    if isinstance(item, Subject):
        groups = [g.name for g in item.survey.groups if item in g.rated_subjects]
        if groups:
            lines.append(_("评议主体 %(groups)s 对它的指定也将一并删除。", groups="、".join(groups)))
    if isinstance(item, Question):
        dependent = [q.prompt for q in item.survey.questions if q.show_if_question_id == item.id]
        if dependent:
            lines.append(_("以它为显示条件的题目将一直显示：%(prompts)s", prompts="、".join(dependent)))
    return lines


# ---- units and subjects ----------------------------------------------------------------


def units_of(subjects: Iterable[Subject]) -> list[Unit]:
    """Load the subjects' units in one query, so `subject.unit` then costs none.

    Hold the returned list while using `subject.unit`: the session's identity map keeps
    objects only weakly, and a dropped unit would be lazy-loaded again, one query each.
    """
    unit_ids = {s.unit_id for s in subjects if s.unit_id}
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))) if unit_ids else []


def get_or_create_unit(name: str, category: str = "") -> Unit:
    """Return the unit with this name, creating it (and setting an empty category)."""
    name = name.strip()
    unit = db.session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        unit = Unit(name=name, category=category.strip())
        db.session.add(unit)
        db.session.flush()
    elif category and not unit.category:
        unit.category = category.strip()
    return unit


def check_unit_fields(unit_name: str, unit_category: str) -> None:
    """Refuse a category that would be dropped: it belongs to a unit, so it needs one, and
    an existing unit keeps its category (units are shared by every survey, past years too)."""
    unit_name, unit_category = (unit_name or "").strip(), (unit_category or "").strip()
    if unit_category and not unit_name:
        raise ValidationFailed(_("填写了单位类别“%(category)s”，但没有填写所在单位。单位类别属于单位：请同时填写所在单位，或清空单位类别。",
                                 category=unit_category))
    if unit_category:
        unit = db.session.scalar(select(Unit).where(Unit.name == unit_name))
        if unit is not None and unit.category and unit.category != unit_category:
            raise ValidationFailed(_("单位“%(unit)s”的单位类别已是“%(old)s”，所有评议共用，这里不能改为“%(new)s”。请填写“%(old)s”或清空单位类别。",
                                     unit=unit_name, old=unit.category, new=unit_category))


def _subject_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    check_unit_fields(data.get("unit_name", ""), data.get("unit_category", ""))
    fields = {k: v for k, v in data.items() if k not in ("unit_name", "unit_category")}
    if data.get("unit_name"):
        fields["unit_id"] = get_or_create_unit(data["unit_name"], data.get("unit_category", "")).id
    elif "unit_name" in data:
        fields["unit_id"] = None
    return fields


def _check_subject_key(survey: Survey, key: str, subject: Subject | None = None) -> None:
    if any(s.key == key and s is not subject for s in survey.subjects):
        raise ValidationFailed(_("编号“%(key)s”已被其他评议对象使用", key=key))


def add_subject(survey: Survey, data: Mapping[str, Any], actor: User) -> Subject:
    """Add a subject; `data` may name its unit (created on first use) and category."""
    _require_draft(survey)
    _check_subject_key(survey, data["key"])
    subject = Subject(**_subject_fields(data), position=_next_position(survey.subjects))
    survey.subjects.append(subject)
    db.session.flush()
    audit.record(actor, "subject.add", "survey", survey.id, subject=subject.name)
    return subject


def update_subject(subject: Subject, data: Mapping[str, Any], actor: User) -> None:
    """Edit a subject; after publication only its name and position title."""
    if "key" in data:
        _check_subject_key(subject.survey, data["key"], subject)
    changed = _apply(subject, _subject_fields(data), subject.survey)
    if changed:
        audit.record(actor, "subject.update", "survey", subject.survey_id, subject=subject.name, **changed)


# ---- dimensions, scale, groups, questions ----------------------------------------------


def add_dimension(survey: Survey, data: Mapping[str, Any], actor: User) -> Dimension:
    _require_draft(survey)
    _check_unique_name(survey.dimensions, "name", data["name"], None, "维度")
    dimension = Dimension(**data, position=_next_position(survey.dimensions))
    survey.dimensions.append(dimension)
    db.session.flush()
    audit.record(actor, "dimension.add", "survey", survey.id, dimension=dimension.name)
    return dimension


def update_dimension(dimension: Dimension, data: Mapping[str, Any], actor: User) -> None:
    if "name" in data:
        _check_unique_name(dimension.survey.dimensions, "name", data["name"], dimension, "维度")
    changed = _apply(dimension, data, dimension.survey)
    if changed:
        audit.record(actor, "dimension.update", "survey", dimension.survey_id, **changed)


def replace_scale(survey: Survey, preset: str, with_unknown: bool, actor: User) -> None:
    """Replace the scale's options with a preset (drafts only)."""
    _require_draft(survey)
    survey.scale_kind = ScaleKind.OPTIONS
    survey.scale_options = scale_options_from_preset(preset, with_unknown)
    db.session.flush()
    audit.record(actor, "scale.replace", "survey", survey.id, preset=preset, unknown=with_unknown)


def use_score_scale(survey: Survey, actor: User) -> None:
    """Switch to a typed 0–100 score instead of labelled options (drafts only)."""
    _require_draft(survey)
    survey.scale_kind = ScaleKind.SCORE
    survey.scale_options = []
    db.session.flush()
    audit.record(actor, "scale.replace", "survey", survey.id, preset="score")


def _check_role(survey: Survey, option: ScaleOption | None, role: str | None, is_unknown: bool) -> None:
    """Each role marks one option of the scale, never a 不了解 option."""
    if role is None:
        return
    if role not in SCALE_ROLES:
        raise ValidationFailed(_("未知的结果标记"))
    if is_unknown:
        raise ValidationFailed(_("“不了解”类选项不计分，不能作为结果标记"))
    holder = next((o for o in survey.scale_options if o.role == role and o is not option), None)
    if holder is not None:
        raise ValidationFailed(_("“%(label)s”已是此标记，请先取消", label=holder.label))


def add_scale_option(survey: Survey, data: Mapping[str, Any], actor: User) -> ScaleOption:
    _require_draft(survey)
    _check_unique_name(survey.scale_options, "label", data["label"], None, "选项")
    _check_role(survey, None, data.get("role"), bool(data.get("is_unknown")))
    if data.get("is_unknown") and any(o.is_unknown for o in survey.scale_options):
        raise ValidationFailed(_("已有“不了解”选项"))
    option = ScaleOption(**data, position=_next_position(survey.scale_options))
    if option.is_unknown:
        option.score = None
    elif option.score is None:
        raise ValidationFailed(_("计分选项需要 0–100 的分值"), ["score"])
    survey.scale_options.append(option)
    db.session.flush()
    audit.record(actor, "scale_option.add", "survey", survey.id, label=option.label)
    return option


def update_scale_option(option: ScaleOption, data: Mapping[str, Any], actor: User) -> None:
    if "label" in data:
        _check_unique_name(option.survey.scale_options, "label", data["label"], option, "选项")
    if "role" in data:
        _check_role(option.survey, option, data["role"], bool(data.get("is_unknown", option.is_unknown)))
    changed = _apply(option, data, option.survey)
    if changed:
        audit.record(actor, "scale_option.update", "survey", option.survey_id, **changed)


def _check_group_key(survey: Survey, key: str, group: RespondentGroup | None = None) -> None:
    if any(g.key == key and g is not group for g in survey.groups):
        raise ValidationFailed(_("代码“%(key)s”已被其他评议主体使用", key=key))


def _rated_subjects(survey: Survey, subject_ids: Iterable[int]) -> list[Subject]:
    wanted = set(subject_ids)
    chosen = [s for s in survey.subjects if s.id in wanted]
    if len(chosen) != len(wanted):
        raise ValidationFailed(_("所选评议对象不属于本问卷"))
    return chosen


def add_group(survey: Survey, data: Mapping[str, Any], actor: User, subject_ids: Iterable[int] = ()) -> RespondentGroup:
    """Add a respondent group; with rates_all_subjects False it rates `subject_ids` only."""
    _require_draft(survey)
    _check_group_key(survey, data["key"])
    _check_unique_name(survey.groups, "name", data["name"], None, "评议主体")
    group = RespondentGroup(**data, position=_next_position(survey.groups))
    group.rated_subjects = [] if group.rates_all_subjects else _rated_subjects(survey, subject_ids)
    survey.groups.append(group)
    db.session.flush()
    audit.record(actor, "group.add", "survey", survey.id, group=group.name)
    return group


def update_group(group: RespondentGroup, data: Mapping[str, Any], actor: User, subject_ids: Iterable[int] | None = None) -> None:
    survey = group.survey
    if "key" in data:
        _check_group_key(survey, data["key"], group)
    if "name" in data:
        _check_unique_name(survey.groups, "name", data["name"], group, "评议主体")
    changed = _apply(group, data, survey)
    if subject_ids is not None:
        chosen = [] if group.rates_all_subjects else _rated_subjects(survey, subject_ids)
        if {s.id for s in chosen} != {s.id for s in group.rated_subjects}:
            _require_draft(survey)
            group.rated_subjects = chosen
            changed["rated_subjects"] = ",".join(s.key for s in chosen)
    if changed:
        audit.record(actor, "group.update", "survey", group.survey_id, group=group.name, **changed)


def _check_question(survey: Survey, question: Question) -> None:
    choice_kinds = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
    question.options = list(question.options or [])  # JSON default applies only at flush
    if question.kind in choice_kinds and len(question.options) < 2:
        raise ValidationFailed(_("选择题至少需要两个选项"))
    if len(set(question.options)) != len(question.options):
        raise ValidationFailed(_("选择题的选项不能重复"))
    if question.kind not in choice_kinds:
        question.options = []
    if question.show_if_question_id is None:
        question.show_if_values = []
        return
    earlier = next((q for q in survey.questions if q.id == question.show_if_question_id), None)
    if earlier is None or earlier is question or earlier.position >= question.position:
        raise ValidationFailed(_("显示条件只能引用前面的题目"))
    if earlier.kind not in choice_kinds:
        raise ValidationFailed(_("显示条件只能引用选择题"))
    unknown = set(question.show_if_values) - set(earlier.options)
    if not question.show_if_values or unknown:
        raise ValidationFailed(_("显示条件的取值必须是所引用题目的选项"))


def add_question(survey: Survey, data: Mapping[str, Any], actor: User) -> Question:
    _require_draft(survey)
    question = Question(**data, position=_next_position(survey.questions))
    survey.questions.append(question)
    _check_question(survey, question)
    db.session.flush()
    audit.record(actor, "question.add", "survey", survey.id, prompt=question.prompt)
    return question


def update_question(question: Question, data: Mapping[str, Any], actor: User) -> None:
    changed = _apply(question, data, question.survey)
    _check_question(question.survey, question)
    if changed:
        audit.record(actor, "question.update", "survey", question.survey_id, **changed)


def remove_item(survey: Survey, item: Any, actor: User, *, confirmed: bool = True) -> None:
    """Remove a subject, dimension, option, group or question from a draft survey."""
    require_confirmation(confirmed)
    _require_draft(survey)
    getattr(survey, _COLLECTION_OF[type(item)]).remove(item)
    db.session.flush()
    audit.record(actor, f"{type(item).__name__.lower()}.remove", "survey", survey.id, item_id=item.id)


def move_item(survey: Survey, item: Any, offset: int, actor: User) -> None:
    """Move an item one place up (-1) or down (+1) in its list (drafts only)."""
    _require_draft(survey)
    collection = sorted(getattr(survey, _COLLECTION_OF[type(item)]), key=lambda i: i.position)
    index = collection.index(item)
    target = index + offset
    if 0 <= target < len(collection):
        collection[index], collection[target] = collection[target], collection[index]
        for position, each in enumerate(collection):
            each.position = position
        audit.record(actor, "item.move", "survey", survey.id, item=type(item).__name__, item_id=item.id)



def list_surveys(visible_unit_ids: set[int] | None = None) -> list[Survey]:
    """Return surveys, newest first; a unit-scoped user sees surveys rating their units."""
    query = select(Survey).order_by(Survey.year.desc(), Survey.id.desc())
    if visible_unit_ids is not None:
        query = query.where(
            Survey.id.in_(select(Subject.survey_id).where(Subject.unit_id.in_(visible_unit_ids)))
        )
    return list(db.session.scalars(query))


#: The 类别 column of a pasted line: the labels organizers type, and the stored values.
KIND_WORDS = {"干部": SubjectKind.CADRE, "单位": SubjectKind.UNIT, "部门": SubjectKind.UNIT, "领导班子": SubjectKind.TEAM,
              "班子": SubjectKind.TEAM, **{kind.value: kind for kind in SubjectKind}}
#: Columns of a pasted line, in order; only the name is required, trailing ones may be left out.
PASTE_COLUMNS = ("name", "position_title", "key", "kind", "unit_name", "unit_category")
_PASTE_LIMITS = {"name": 100, "position_title": 100, "key": 64, "kind": 20, "unit_name": 100, "unit_category": 50}


def _split_line(line: str) -> list[str]:
    return [p.strip() for p in line.replace("\t", ",").replace("，", ",").replace("、", ",").split(",")]


def parse_subject_lines(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Parse pasted lines "名称, 职务, 编号, 类别, 所在单位, 单位类别" (comma, tab or 、;
    trailing columns optional, a blank cell takes the form's default); return rows and errors."""
    rows, errors = [], []
    for number, line in enumerate(text.splitlines(), 1):
        parts = _split_line(line)
        if not any(parts):
            continue
        if len(parts) > len(PASTE_COLUMNS) or not parts[0]:
            errors.append(_("第 %(n)d 行：应为“名称, 职务, 编号, 类别, 所在单位, 单位类别”（后几列可省略）", n=number))
            continue
        row = dict(zip(PASTE_COLUMNS, parts + [""] * (len(PASTE_COLUMNS) - len(parts)), strict=True))
        if any(len(row[column]) > limit for column, limit in _PASTE_LIMITS.items()):
            errors.append(_("第 %(n)d 行：内容过长", n=number))
            continue
        if row["kind"] and row["kind"] not in KIND_WORDS:
            errors.append(_("第 %(n)d 行：类别“%(kind)s”应为 干部、单位 或 领导班子", n=number, kind=row["kind"]))
            continue
        row["kind"] = KIND_WORDS.get(row["kind"])
        rows.append({**row, "line": number})
    return rows, errors


def _free_key(survey: Survey, taken: set[str]) -> str:
    number = len(survey.subjects) + 1
    while f"S{number:03d}" in taken:
        number += 1
    return f"S{number:03d}"


def _pasted_subject(row: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """One pasted row with the form's defaults filled in. A 单位 is its own unit unless
    its line names one: that is what ties it to its category's weights and rankings."""
    kind = row["kind"] or defaults["kind"]
    unit_name = row["unit_name"] or (row["name"] if kind is SubjectKind.UNIT else defaults["unit_name"])
    return {"name": row["name"], "position_title": row["position_title"], "key": row["key"], "kind": kind,
            "unit_name": unit_name.strip(), "unit_category": (row["unit_category"] or defaults["unit_category"]).strip()}


def add_subjects_in_bulk(survey: Survey, text: str, defaults: Mapping[str, Any], actor: User) -> int:
    """Add one subject per pasted line; all or nothing. Return the count.

    `defaults` gives the kind, unit name and unit category of lines that leave them blank.
    """
    _require_draft(survey)
    rows, errors = parse_subject_lines(text)
    taken = {s.key for s in survey.subjects}
    subjects = []
    for row in rows:
        if row["key"] and (row["key"] in taken or not row["key"].replace("-", "").replace("_", "").isalnum()):
            errors.append(_("编号“%(key)s”重复或含有不允许的字符", key=row["key"]))
        taken.add(row["key"])
        subject = _pasted_subject(row, defaults)
        try:
            check_unit_fields(subject["unit_name"], subject["unit_category"])
        except ValidationFailed as error:
            errors.append(_("第 %(n)d 行：%(problem)s", n=row["line"], problem=error.message))
        subjects.append(subject)
    if not rows and not errors:
        errors.append("请至少填写一行")
    if errors:
        raise ValidationFailed(_("名单有误，未添加任何对象"), errors)
    for subject in subjects:
        key = subject["key"] or _free_key(survey, taken)
        taken.add(key)
        add_subject(survey, {**subject, "key": key}, actor)
    return len(subjects)


def _kind_and_unit(subject: Subject) -> tuple:
    unit = db.session.get(Unit, subject.unit_id) if subject.unit_id else None
    return subject.kind, subject.unit_id, unit.category if unit else ""


def edit_subjects_in_bulk(survey: Survey, subject_ids: Iterable[int], changes: Mapping[str, Any], actor: User) -> int:
    """Set the kind, unit and/or unit category of the chosen subjects; all or nothing.

    `changes` holds only what the user chose to change: "kind" (a SubjectKind),
    "unit_name", "unit_category". A category without a new unit applies to each subject's
    current unit, under the same rule as one subject's form (a unit keeps its category).
    Return how many subjects changed.
    """
    _require_draft(survey)
    chosen = _rated_subjects(survey, subject_ids)
    if not chosen:
        raise ValidationFailed(_("请先勾选要修改的评议对象"))
    if not changes:
        raise ValidationFailed(_("请至少选择一项要修改的内容（类别、所在单位或单位类别）"))
    errors, changed = [], 0
    for subject in chosen:
        data = {"unit_name": changes.get("unit_name") or (subject.unit.name if subject.unit else ""),
                "unit_category": changes.get("unit_category", "")}
        if "kind" in changes:
            data["kind"] = changes["kind"]
        try:
            before = _kind_and_unit(subject)
            update_subject(subject, data, actor)
            changed += _kind_and_unit(subject) != before
        except ValidationFailed as error:
            errors.append(_("%(name)s（%(key)s）：%(problem)s", name=subject.name, key=subject.key, problem=error.message))
    if errors:
        raise ValidationFailed(_("批量修改有误，未修改任何对象"), errors)
    return changed
