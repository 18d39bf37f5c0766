"""Survey settings and the rules every design edit obeys: the structure lock after
publication (only WORDING_FIELDS may change), the archive freeze, scale presets, units,
publication checks and what a lifecycle step or removal will do. Builder items are
structure.py, pasted subject lists subject_lists.py; the lifecycle steps themselves are
services/results/lifecycle.py.

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
    Ballot,
    Dimension,
    Question,
    RespondentGroup,
    ScaleKind,
    ScaleOption,
    Subject,
    Survey,
    SurveyStatus,
    Unit,
    User,
)
from survey_app.services.platform import audit
from survey_app.services.platform.confirmation import require_confirmation

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


def apply_changes(entity: Any, data: Mapping[str, Any], survey: Survey) -> dict[str, Any]:
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


def require_draft(survey: Survey) -> None:
    """Refuse a structural edit once the survey is published."""
    if survey.is_structure_locked:
        raise StructureLocked(_("问卷已发布，结构已锁定，只能修改文字"))


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
    changed = apply_changes(survey, data, survey)
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
    require_draft(survey)
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


def list_surveys(visible_unit_ids: set[int] | None = None) -> list[Survey]:
    """Return surveys, newest first; a unit-scoped user sees surveys rating their units."""
    query = select(Survey).order_by(Survey.year.desc(), Survey.id.desc())
    if visible_unit_ids is not None:
        query = query.where(
            Survey.id.in_(select(Subject.survey_id).where(Subject.unit_id.in_(visible_unit_ids)))
        )
    return list(db.session.scalars(query))


# ---- units ---------------------------------------------------------------------------------


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
