"""The cadre dossier as a PDF, for the review before a visit (调阅材料、带着问题去蹲点).

Built from a `dossiers.Dossier` only, so the PDF shows exactly the page's figures: groups
below their minimum size are 样本不足 here too. The caller passes the date and the name of
the person who downloads it (printed in the footer of every page, for the record).
"""

from datetime import date

from flask_babel import format_datetime
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from analytics import charts
from survey_app.models import EvidenceKind
from survey_app.services.dossier.dossiers import AssessmentEntry, Dossier, SurveyEntry
from survey_app.services.dossier.evidence import KIND_LABELS, EvidenceView
from survey_app.services.dossier.fieldwork import Fieldwork
from survey_app.services.dossier.fieldwork_pdf import fieldwork_story
from survey_app.services.dossier.unit_progress import UnitProgress
from survey_app.services.platform import pdf_layout, phrasing
from survey_app.services.results.report_models import INSUFFICIENT

CHART_WIDTH, CHART_HEIGHT = 120 * mm, 72 * mm


def _index(value: float | None) -> str:
    return INSUFFICIENT if value is None else f"{value:.1f}"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _delta(value: float | None, reference: float | None) -> str:
    return "—" if value is None or reference is None else f"{value - reference:+.1f}"


def _interval(low: float | None, high: float | None) -> str:
    return "—" if low is None or high is None else f"{low:.1f}–{high:.1f}"


def _rank(rank: int | None, total: int) -> str:
    return "—" if rank is None else f"{rank}/{total}"


# ---- charts -----------------------------------------------------------------------------------


def trend_chart(dossier: Dossier, fmt: str = "png") -> bytes | None:
    """The cadre's indices and assessment composites across years, one line per source."""
    if not dossier.has_trend:
        return None
    series = [(label, list(values)) for label, values in dossier.trend_series]
    return charts.trend_chart(list(dossier.trend_periods), series, title=_("历年满意度指数与年度考核得分"),
                              axis_label=_("得分"), fmt=fmt)


def survey_chart(entry: SurveyEntry, name: str, fmt: str = "png") -> bytes | None:
    """One survey's dimension profile ("dimensions") or group comparison ("groups")."""
    row = entry.row
    if name == "dimensions" and any(v is not None for v in row.dimensions):
        return charts.dimension_profile_chart(entry.dimension_labels, row.dimensions, title=_("各维度指数"), fmt=fmt)
    reportable = [g for g in row.groups if g.is_reportable]
    if name == "groups" and reportable:
        return charts.group_bars_chart([g.label for g in reportable], [row.name], [[g.index for g in reportable]],
                                       title=_("各评议主体指数"), axis_label=_("满意度指数"), fmt=fmt)
    return None


# ---- sections ---------------------------------------------------------------------------------


def _short_flags(entry: SurveyEntry) -> list[str]:
    return ([_("评价分歧")] if entry.row.is_disagreement_flagged else []) + (
        [_("差评偏多")] if entry.row.is_negative_flagged else [])


def _summary(dossier: Dossier) -> list:
    story = [pdf_layout.paragraph(_("历年结果一览"), "h2")]
    rows = []
    for year in dossier.years:
        rows += [[str(s.year), s.title, _index(s.row.index), _interval(s.row.low, s.row.high),
                  _rank(s.row.rank, s.ranked), _delta(s.row.index, s.row.previous_index),
                  _delta(s.row.index, s.row.predecessor_index), _delta(s.row.index, s.row.unit_average),
                  phrasing.listing(_short_flags(s))] for s in year.surveys]
        rows += [[str(a.year), a.title, _score(a.row.composite), "—", _rank(a.row.rank, a.category_size),
                  "—", "—", "—", a.grade or "—"] for a in year.assessments]
    if not rows:
        return [*story, pdf_layout.paragraph(_("暂无评议或考核结果"))]
    header = [_("年度"), _("评议活动 / 考核方案"), _("指数 / 得分"), _("95%区间"), _("排名"), _("较上次"),
              _("较前任"), _("较本单位平均"), _("等次 / 提示")]
    story.append(pdf_layout.table(header, rows, [x * mm for x in (11, 52, 16, 20, 14, 14, 14, 17, 16)]))
    chart = trend_chart(dossier)
    if chart:
        story += [Spacer(1, 3 * mm), pdf_layout.image(chart, CHART_WIDTH, CHART_HEIGHT)]
    return story


def _flags(entry: SurveyEntry) -> list:
    row, notes = entry.row, []
    if row.is_disagreement_flagged and row.disagreement_groups:
        high, low = row.disagreement_groups
        notes.append(_("相互印证：“%(high)s”与“%(low)s”的评价相差 %(gap).1f 分，建议核实。",
                       high=high, low=low, gap=row.disagreement_gap))
    if row.is_negative_flagged:
        notes.append(_("差评比例 %(share).1f%%，超过设定阈值", share=(row.negative_share or 0) * 100))
    return [pdf_layout.paragraph(note, "notice") for note in notes]


def _with_year(year: int, title: str) -> str:
    """The year before a title that does not already name it ("2026 2026年度民主测评" was printed)."""
    return title if str(year) in title else _("%(year)s %(title)s", year=year, title=title)


def _survey_section(entry: SurveyEntry) -> list:
    row = entry.row
    title = _("%(title)s（%(kind)s）", title=_with_year(entry.year, entry.title), kind=entry.kind_label)
    stats = [_index(row.index), _interval(row.low, row.high), _rank(row.rank, entry.ranked),
             phrasing.noted(_rank(row.rank_in_category, entry.ranked_in_category), row.category or _("未分类")),
             str(row.n)]
    story = [pdf_layout.paragraph(title, "h2"),
             pdf_layout.table([_("满意度指数"), _("95%区间"), _("总排名"), _("类别内排名"), _("计入人数")], [stats]),
             *_flags(entry)]
    predecessor = phrasing.noted(entry.predecessor_name or "", row.predecessor_key) if row.predecessor_key else ""
    comparisons = [
        [phrasing.noted(_("上一次"), entry.previous_title) if entry.previous_title else _("上一次"),
         _index(row.previous_index) if entry.previous_title else "—", _delta(row.index, row.previous_index)],
        [_("前任") + predecessor, _index(row.predecessor_index) if row.predecessor_key else "—",
         _delta(row.index, row.predecessor_index)],
        [_("本单位平均"), _index(row.unit_average), _delta(row.index, row.unit_average)],
        [_("全体平均"), _index(entry.survey_average), _delta(row.index, entry.survey_average)],
    ]
    story += [Spacer(1, 2 * mm),
              pdf_layout.table([_("比较"), _("满意度指数"), _("本人差值")], comparisons, [x * mm for x in (90, 40, 40)])]
    groups = [[g.label, f"{g.weight:g}", str(g.n), _index(g.index)] if g.is_reportable
              else [g.label, f"{g.weight:g}", INSUFFICIENT, INSUFFICIENT] for g in row.groups]
    story += [Spacer(1, 2 * mm),
              pdf_layout.table([_("评议主体"), _("权重"), _("人数"), _("指数")], groups, [x * mm for x in (60, 30, 30, 50)]),
              Spacer(1, 2 * mm),
              pdf_layout.table(list(entry.dimension_labels), [[_index(v) for v in row.dimensions]])]
    if entry.scored_labels:
        if row.option_counts:
            shares = [_share(s) for s in entry.scored_shares]
            story += [Spacer(1, 2 * mm), pdf_layout.table(
                [*entry.scored_labels, *(name.text() for name, _field in entry.figures)],
                [[*shares, *(_share(getattr(row, field)) for _name, field in entry.figures)]])]
        else:
            story.append(pdf_layout.paragraph(_("评价等次分布：") + INSUFFICIENT))
    images = [png for png in (survey_chart(entry, "dimensions"), survey_chart(entry, "groups")) if png]
    for png in images:
        story += [Spacer(1, 2 * mm), pdf_layout.image(png, CHART_WIDTH, CHART_HEIGHT)]
    return story


def _assessment_section(entry: AssessmentEntry) -> list:
    row = entry.row
    title = _("%(title)s（%(status)s）", title=_with_year(entry.year, entry.title), status=entry.status_label)
    parts = [[p.label, p.source_label, _score(p.score) if p.score is not None else _("缺项"),
              f"{p.share * 100:.0f}%", _score(p.points)] for p in row.parts]
    parts += [[_("正向激励"), "", "", "", f"+{row.bonus:.2f}" if row.bonus else "—"],
              [_("效能督查"), "", "", "", f"−{row.deduction:.2f}" if row.deduction else "—"],
              [_("综合得分"), "", "", "", _score(row.composite)]]
    grade = row.final_grade or "—"
    facts = [_score(row.composite), _rank(row.rank, entry.category_size), row.category, grade]
    story = [pdf_layout.paragraph(title, "h2"),
             pdf_layout.table([_("综合得分"), _("类别内名次"), _("类别"), _("等次")], [facts]),
             Spacer(1, 2 * mm),
             pdf_layout.table([_("考评项目"), _("得分来源"), _("计入得分"), _("权重"), _("折算")], parts,
                              [x * mm for x in (34, 70, 22, 18, 22)])]
    if row.reason:
        story.append(pdf_layout.paragraph(_("说明：") + row.reason))
    for item in row.adjustments:
        sign = "+" if item.kind.value == "bonus" else "−"
        story.append(pdf_layout.paragraph(f"{sign}{item.points:g}　{item.reason}　{item.document}".rstrip()))
    return story


def _evidence_rows(items: tuple[EvidenceView, ...]) -> list[list[str]]:
    rows = []
    for e in items:
        text = phrasing.labelled(e.title, e.detail) if e.detail else e.title
        if e.due_on:
            text += _("（时限 %(date)s）", date=e.due_on.isoformat())
        check = e.status_label
        if e.verified_by:
            check = phrasing.noted(check, phrasing.listing((e.verified_by, format_datetime(e.verified_at, "yyyy-MM-dd"))))
        if e.verification_note:
            check = phrasing.labelled(check, e.verification_note)
        rows.append([e.occurred_on.isoformat(), text, e.source_label, phrasing.clauses(e.attachments) or "—", check])
    return rows


def _unit_progress(progress: UnitProgress) -> list:
    rows = [[f"{line.code} {line.indicator}", _("第%(q)d季度", q=line.quarter),
             f"{_number(line.value)} / {_number(line.target)} {line.unit_of_measure}".rstrip(),
             _share(line.share), line.account or "—", format_datetime(line.reported_at, "yyyy-MM-dd")]
            for line in progress.lines]
    return [KeepTogether([
        pdf_layout.paragraph(_("单位目标季度进度（%(year)d年 %(title)s）", year=progress.year,
                               title=progress.system_title)),
        pdf_layout.table([_("指标"), _("季度"), _("实际值 / 目标值"), _("完成目标"), _("进度说明"), _("填报日期")], rows,
                         [x * mm for x in (42, 16, 30, 16, 50, 20)]),
    ])]


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.10g}"


def _evidence(dossier: Dossier, progress: UnitProgress | None = None) -> list:
    story = []
    header = [_("日期"), _("事项"), _("来源"), _("附件材料"), _("核实")]
    widths = [x * mm for x in (20, 70, 18, 30, 36)]
    if dossier.to_verify:
        story.append(KeepTogether([pdf_layout.paragraph(_("蹲点前待核实事项（带着问题去蹲点）"), "h2"),
                                   pdf_layout.table(header, _evidence_rows(dossier.to_verify), widths)]))
    for kind, items in dossier.lists:
        story.append(KeepTogether([
            pdf_layout.paragraph(phrasing.noted(str(KIND_LABELS[kind]), str(len(items))), "h2"),
            pdf_layout.table(header, _evidence_rows(items), widths) if items else pdf_layout.paragraph(_("暂无记录")),
        ]))
        if kind is EvidenceKind.PROGRESS and progress is not None:
            story += _unit_progress(progress)
    return story


def dossier_pdf(dossier: Dossier, generated_on: date, viewer: str, fieldwork: Fieldwork | None = None,
                progress: UnitProgress | None = None) -> bytes:
    """Return the dossier as an A4 PDF: results across years with charts, assessments, the
    一线考察 section (when given), the four lists with verification (the 进度清单 with the
    unit's quarterly target progress, when given), and what is still to verify."""
    cadre = dossier.cadre
    subtitle = "｜".join(part for part in (cadre.unit, cadre.position_title, _("编号 %(key)s", key=cadre.key),
                                           _("生成日期 %(date)s", date=generated_on.isoformat())) if part)
    story = pdf_layout.header(_("%(name)s 干部档案", name=cadre.name), subtitle)
    story.append(pdf_layout.paragraph(_("内部材料，注意保密。仅供干部考察、蹲点调研前调阅使用；本次调阅已记录。"), "notice"))
    story += _summary(dossier)
    for year in dossier.years:
        for entry in year.surveys:
            section = _survey_section(entry)
            story += [KeepTogether(section[:2]), *section[2:]]  # the title stays with its figures
        for plan in year.assessments:
            story += _assessment_section(plan)
    if fieldwork is not None:
        story += fieldwork_story(fieldwork)
    story += _evidence(dossier, progress)
    footer = _("%(name)s 干部档案｜调阅人 %(viewer)s｜生成日期 %(date)s", name=cadre.name, viewer=viewer,
               date=generated_on.isoformat())
    return pdf_layout.build_pdf(_("%(name)s 干部档案", name=cadre.name), footer, story)
