"""Builder items of a survey: subjects, dimensions, scale options, respondent groups and
questions, added, edited, removed and reordered. Every edit goes through
surveys.apply_changes, so a published survey's structure stays locked.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import gettext as _

from survey_app.errors import ValidationFailed
from survey_app.extensions import db
from survey_app.models import (
    SCALE_ROLES,
    Dimension,
    Question,
    QuestionKind,
    RespondentGroup,
    ScaleKind,
    ScaleOption,
    Subject,
    Survey,
    User,
)
from survey_app.services.design.surveys import (
    apply_changes,
    check_unit_fields,
    get_or_create_unit,
    require_draft,
    scale_options_from_preset,
)
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation

#: Which survey collection holds each kind of item.
_COLLECTION_OF = {
    Subject: "subjects",
    Dimension: "dimensions",
    ScaleOption: "scale_options",
    RespondentGroup: "groups",
    Question: "questions",
}


def _check_unique_name(items: Iterable[Any], attr: str, value: str, item: Any, what: str) -> None:
    """Refuse a second item with the same name: results and exports are keyed by it."""
    if any(getattr(other, attr) == value and other is not item for other in items):
        raise ValidationFailed(_("%(what)s“%(name)s”已存在", what=_(what), name=value))


def _next_position(items: Iterable[Any]) -> int:
    return max((item.position for item in items), default=-1) + 1


# ---- subjects ------------------------------------------------------------------------------


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
    require_draft(survey)
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
    changed = apply_changes(subject, _subject_fields(data), subject.survey)
    if changed:
        audit.record(actor, "subject.update", "survey", subject.survey_id, subject=subject.name, **changed)


# ---- dimensions, scale, groups, questions ----------------------------------------------


def add_dimension(survey: Survey, data: Mapping[str, Any], actor: User) -> Dimension:
    require_draft(survey)
    _check_unique_name(survey.dimensions, "name", data["name"], None, "维度")
    dimension = Dimension(**data, position=_next_position(survey.dimensions))
    survey.dimensions.append(dimension)
    db.session.flush()
    audit.record(actor, "dimension.add", "survey", survey.id, dimension=dimension.name)
    return dimension


def update_dimension(dimension: Dimension, data: Mapping[str, Any], actor: User) -> None:
    if "name" in data:
        _check_unique_name(dimension.survey.dimensions, "name", data["name"], dimension, "维度")
    changed = apply_changes(dimension, data, dimension.survey)
    if changed:
        audit.record(actor, "dimension.update", "survey", dimension.survey_id, **changed)


def replace_scale(survey: Survey, preset: str, with_unknown: bool, actor: User) -> None:
    """Replace the scale's options with a preset (drafts only)."""
    require_draft(survey)
    survey.scale_kind = ScaleKind.OPTIONS
    survey.scale_options = scale_options_from_preset(preset, with_unknown)
    db.session.flush()
    audit.record(actor, "scale.replace", "survey", survey.id, preset=preset, unknown=with_unknown)


def use_score_scale(survey: Survey, actor: User) -> None:
    """Switch to a typed 0–100 score instead of labelled options (drafts only)."""
    require_draft(survey)
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
    require_draft(survey)
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
    changed = apply_changes(option, data, option.survey)
    if changed:
        audit.record(actor, "scale_option.update", "survey", option.survey_id, **changed)


def _check_group_key(survey: Survey, key: str, group: RespondentGroup | None = None) -> None:
    if any(g.key == key and g is not group for g in survey.groups):
        raise ValidationFailed(_("代码“%(key)s”已被其他评议主体使用", key=key))


def chosen_subjects(survey: Survey, subject_ids: Iterable[int]) -> list[Subject]:
    """Return the survey's subjects with these ids; refuse an id of another survey."""
    wanted = set(subject_ids)
    chosen = [s for s in survey.subjects if s.id in wanted]
    if len(chosen) != len(wanted):
        raise ValidationFailed(_("所选评议对象不属于本问卷"))
    return chosen


def add_group(survey: Survey, data: Mapping[str, Any], actor: User, subject_ids: Iterable[int] = ()) -> RespondentGroup:
    """Add a respondent group; with rates_all_subjects False it rates `subject_ids` only."""
    require_draft(survey)
    _check_group_key(survey, data["key"])
    _check_unique_name(survey.groups, "name", data["name"], None, "评议主体")
    group = RespondentGroup(**data, position=_next_position(survey.groups))
    group.rated_subjects = [] if group.rates_all_subjects else chosen_subjects(survey, subject_ids)
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
    changed = apply_changes(group, data, survey)
    if subject_ids is not None:
        chosen = [] if group.rates_all_subjects else chosen_subjects(survey, subject_ids)
        if {s.id for s in chosen} != {s.id for s in group.rated_subjects}:
            require_draft(survey)
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
    require_draft(survey)
    question = Question(**data, position=_next_position(survey.questions))
    survey.questions.append(question)
    _check_question(survey, question)
    db.session.flush()
    audit.record(actor, "question.add", "survey", survey.id, prompt=question.prompt)
    return question


def update_question(question: Question, data: Mapping[str, Any], actor: User) -> None:
    changed = apply_changes(question, data, question.survey)
    _check_question(question.survey, question)
    if changed:
        audit.record(actor, "question.update", "survey", question.survey_id, **changed)


def remove_item(survey: Survey, item: Any, actor: User, *, confirmed: bool = True) -> None:
    """Remove a subject, dimension, option, group or question from a draft survey."""
    require_confirmation(confirmed)
    require_draft(survey)
    getattr(survey, _COLLECTION_OF[type(item)]).remove(item)
    db.session.flush()
    audit.record(actor, f"{type(item).__name__.lower()}.remove", "survey", survey.id, item_id=item.id)


def move_item(survey: Survey, item: Any, offset: int, actor: User) -> None:
    """Move an item one place up (-1) or down (+1) in its list (drafts only)."""
    require_draft(survey)
    collection = sorted(getattr(survey, _COLLECTION_OF[type(item)]), key=lambda i: i.position)
    index = collection.index(item)
    target = index + offset
    if 0 <= target < len(collection):
        collection[index], collection[target] = collection[target], collection[index]
        for position, each in enumerate(collection):
            each.position = position
