"""The results' view models: what a survey report holds (subjects, units, groups, the
scale's figures in its own words) and the functions that read a report without the
database (a unit-scoped view, the scored options, figure columns, per-group ranks).
Built by `reports`; shown by the results pages, the exports and the dossier.

Groups below their minimum size carry no figures here: analytics blanks them, and the
pages and exports say INSUFFICIENT (样本不足) instead.
"""

from dataclasses import dataclass, replace

from flask_babel import gettext as _

import analytics
from survey_app.models import Survey

INSUFFICIENT = "样本不足"


@dataclass(frozen=True, slots=True)
class FigureName:
    """One share in the scale's own words: the option that marks it and how far it reaches
    ("only" the best or worst option: X率; "above": X及以上; "below": X及以下).
    Kept untranslated so a cached report serves every locale; `text()` translates."""

    label: str
    reach: str

    def text(self) -> str:
        if self.reach == "above":
            return _("%(label)s及以上", label=self.label)
        if self.reach == "below":
            return _("%(label)s及以下", label=self.label)
        return _("%(label)s率", label=self.label)


@dataclass(frozen=True, slots=True)
class FigureNames:
    """The scale's words for the three shares the results report (None: the scale names no
    option for that figure, and the share is None). Derived from the labels of the options
    that carry the roles: 优秀率 / 称职及以上 / 不称职率 on 优秀…不称职, 满意率 / 基本满意及以上 /
    不满意率 on 满意/基本满意/不满意."""

    top: FigureName | None = None
    passing: FigureName | None = None
    negative: FigureName | None = None


@dataclass(frozen=True, slots=True)
class GroupRow:
    label: str
    n: int
    expected: int
    is_reportable: bool
    index: float | None
    weight: float


@dataclass(frozen=True, slots=True)
class SubjectRow:
    subject_id: int
    key: str
    name: str
    position_title: str
    unit: str
    category: str
    index: float | None
    low: float | None
    high: float | None
    n: int
    rank: int | None
    rank_in_category: int | None
    groups: tuple[GroupRow, ...]
    dimensions: tuple[float | None, ...]
    top_share: float | None
    pass_share: float | None
    satisfied_share: float | None
    negative_share: float | None
    option_counts: tuple[int, ...]  # () when no group is reportable (the API says null)
    option_shares: tuple[float | None, ...]  # per option; None for 不了解 options
    unknown_count: int
    is_negative_flagged: bool
    disagreement_gap: float | None
    disagreement_groups: tuple[str, str] | None
    is_disagreement_flagged: bool
    previous_index: float | None = None  # same subject key, the previous survey of this kind
    predecessor_key: str | None = None
    predecessor_index: float | None = None  # the predecessor's index in the previous survey
    unit_average: float | None = None


@dataclass(frozen=True, slots=True)
class UnitRow:
    name: str
    category: str
    index: float | None
    low: float | None
    high: float | None
    n: int
    rank: int | None
    rank_in_category: int | None


@dataclass(frozen=True, slots=True)
class SurveyReport:
    survey_id: int
    title: str
    year: int
    ballots: int
    excluded: int
    dimension_labels: tuple[str, ...]
    group_labels: tuple[str, ...]
    option_labels: tuple[str, ...]
    option_is_unknown: tuple[bool, ...]  # per option: 不了解-like (is_unknown), whatever its label
    figures: FigureNames
    subjects: tuple[SubjectRow, ...]  # ranking order; 样本不足 last
    units: tuple[UnitRow, ...]
    categories: tuple[str, ...]
    survey_average: float | None
    alpha: float | None
    icc: float | None
    flagged_ballots: int
    previous_title: str | None = None


def scoped(report: SurveyReport, survey: Survey, unit_ids: set[int] | None) -> SurveyReport:
    """Keep only the subjects and units a unit-scoped user may see."""
    if unit_ids is None:
        return report
    visible_subjects = {s.id for s in survey.subjects if s.unit_id in unit_ids}
    visible_units = {s.unit.name for s in survey.subjects if s.unit_id in unit_ids}
    return replace(
        report,
        subjects=tuple(row for row in report.subjects if row.subject_id in visible_subjects),
        units=tuple(row for row in report.units if row.name in visible_units),
    )


def scored_option_labels(report: SurveyReport) -> tuple[str, ...]:
    """Return the labels of the scale options that carry a score (not 不了解-like options,
    told by `is_unknown`, whatever their label: 无法评价 too)."""
    return tuple(label for label, unknown in zip(report.option_labels, report.option_is_unknown, strict=True)
                 if not unknown)


def scored_shares(report: SurveyReport, row: SubjectRow) -> list[float | None]:
    """Return each scored option's share of the subject's scored ratings (none at all with
    no reportable group); the same denominators as top_share / pass_share / negative_share."""
    if not row.option_shares:
        return []
    return [share for share, unknown in zip(row.option_shares, report.option_is_unknown, strict=True)
            if not unknown]


#: The shares a subject row carries, by figure: (FigureNames field, SubjectRow field).
_FIGURE_FIELDS = (("top", "top_share"), ("passing", "pass_share"), ("negative", "negative_share"))


def figure_columns(report: SurveyReport) -> list[tuple[FigureName, str]]:
    """The figures this survey's scale names, in order top / pass / negative, each with the
    SubjectRow field holding its share: what pages and exports show as columns."""
    return [(getattr(report.figures, name), field) for name, field in _FIGURE_FIELDS
            if getattr(report.figures, name) is not None]


def group_ranks(report: SurveyReport, group: int) -> dict[int, int | None]:
    """Rank the subjects by one respondent group's index (competition ranking, as the
    overall one); a subject where that group is not reportable is unranked. Pass the
    unscoped report so the ranks are the survey's, as `rank` is for a scoped viewer."""
    indices = [row.groups[group].index if row.groups[group].is_reportable else None for row in report.subjects]
    ranks = analytics.competition_ranks(indices)
    return {row.subject_id: rank for row, rank in zip(report.subjects, ranks, strict=True)}
