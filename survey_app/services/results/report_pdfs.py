"""The results as A4 PDFs: the survey report (ranking table and chart, dimensions, units,
method, an optional appendix of answers) and one subject's page. Built from a
`report_models.SurveyReport`, so they show the results pages' figures; groups below
their minimum size appear only as 样本不足. The caller passes the generation date and,
for an archived survey, its archive checksum.
"""

from datetime import date

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from analytics import charts
from survey_app.services.platform import pdf_layout, phrasing
from survey_app.services.results import answer_exports
from survey_app.services.results.answers import AnswersView
from survey_app.services.results.archive import ArchiveSeal
from survey_app.services.results.report_models import (
    INSUFFICIENT,
    SubjectRow,
    SurveyReport,
    figure_columns,
    scored_option_labels,
    scored_shares,
)
from survey_app.services.results.report_wording import (
    archive_lines,
    disagreement_note,
    method_lines,
    negative_note,
)

#: Rows of the ranking chart in the PDF, as on the results page.
CHART_ROWS = 40


def _fmt_index(value: float | None) -> str:
    return INSUFFICIENT if value is None else f"{value:.1f}"


def _fmt_share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _fmt_interval(low: float | None, high: float | None) -> str:
    return "—" if low is None or high is None else f"{low:.1f}–{high:.1f}"


def _ranking_rows(report: SurveyReport) -> list[list[str]]:
    return [
        [str(row.rank or "—"), str(row.rank_in_category or "—"), row.name, row.unit, _fmt_index(row.index),
         _fmt_interval(row.low, row.high), str(row.n), _fmt_share(row.top_share),
         phrasing.clauses(note for note in (disagreement_note(row), negative_note(row)) if note)]
        for row in report.subjects
    ]


def _ranking_chart(report: SurveyReport) -> bytes | None:
    rows = [row for row in report.subjects if row.index is not None][:CHART_ROWS]
    if not rows:
        return None
    return charts.ranking_chart(
        [row.name for row in rows], [row.index for row in rows], [row.low for row in rows],
        [row.high for row in rows], title=_("满意度指数排名（含95%置信区间）"), axis_label=_("满意度指数"),
        fmt="png",
    )


def _archive_story(archive: ArchiveSeal | None) -> list:
    return [pdf_layout.paragraph(phrasing.labelled(label, value)) for label, value in archive_lines(archive)]


def _archive_footer(archive: ArchiveSeal | None) -> str:
    return _("｜归档校验 %(digest)s…", digest=archive.sha256[:16]) if archive else ""


def survey_pdf(report: SurveyReport, generated_on: date, *, is_scoped: bool = False,
               archive: ArchiveSeal | None = None, answers: AnswersView | None = None) -> bytes:
    """Return the survey's results as an A4 PDF: ranking table and chart, units, method
    (and the archive checksum when the survey is archived), with an appendix of the
    answers and comments when `answers` is given."""
    average = _fmt_index(report.survey_average)
    subtitle = _("%(year)s 年度，有效答卷 %(ballots)d 份，全体平均指数 %(average)s，生成日期 %(date)s",
                 year=report.year, ballots=report.ballots, average=average, date=generated_on.isoformat())
    story = pdf_layout.header(_("%(title)s 评议结果", title=report.title), subtitle)
    if is_scoped:
        story.append(pdf_layout.paragraph(_("本报告仅含您权限范围内的单位。"), "notice"))
    story.append(pdf_layout.paragraph(_("满意度指数排名"), "h2"))
    top = report.figures.top
    header = [_("排名"), _("类别内"), _("评议对象"), _("单位"), _("指数"), _("95%区间"), _("人数"),
              top.text() if top else "—", _("提示")]
    widths = [x * mm for x in (11, 12, 24, 28, 15, 22, 11, 17, 34)]
    story.append(pdf_layout.table(header, _ranking_rows(report), widths) if report.subjects else pdf_layout.paragraph(_("暂无结果")))
    chart = _ranking_chart(report)
    if chart:
        story += [Spacer(1, 4 * mm), pdf_layout.image(chart)]
        if sum(row.index is not None for row in report.subjects) > CHART_ROWS:
            story.append(pdf_layout.paragraph(_("图中仅列前 %(count)d 名。", count=CHART_ROWS)))
    if report.subjects and report.dimension_labels:
        story.append(pdf_layout.paragraph(_("各维度指数"), "h2"))
        dimension_rows = [[row.name, *(_fmt_index(value) for value in row.dimensions)] for row in report.subjects]
        story.append(pdf_layout.table([_("评议对象"), *report.dimension_labels], dimension_rows))
    if report.units:
        story.append(pdf_layout.paragraph(_("单位汇总"), "h2"))
        unit_rows = [[str(u.rank or "—"), str(u.rank_in_category or "—"), u.name, u.category, _fmt_index(u.index),
                      _fmt_interval(u.low, u.high), str(u.n)] for u in report.units]
        story.append(pdf_layout.table([_("排名"), _("类别内"), _("单位"), _("单位类别"), _("指数"), _("95%区间"), _("人数")],
                            unit_rows, [x * mm for x in (12, 14, 44, 30, 18, 30, 16)]))
    story.append(pdf_layout.paragraph(_("说明"), "h2"))
    story += [pdf_layout.paragraph(line) for line in method_lines()]
    story += answer_exports.pdf_appendix(answers) if answers is not None else []
    story += _archive_story(archive)
    footer = _("%(title)s｜生成日期 %(date)s", title=report.title, date=generated_on.isoformat())
    return pdf_layout.build_pdf(report.title, footer + _archive_footer(archive), story)


def _subject_charts(report: SurveyReport, row: SubjectRow) -> list[bytes]:
    images = []
    if any(value is not None for value in row.dimensions):
        images.append(charts.dimension_profile_chart(report.dimension_labels, row.dimensions,
                                                     title=_("各维度指数"), fmt="png"))
    reportable = [g for g in row.groups if g.is_reportable]
    if reportable:
        images.append(charts.group_bars_chart([g.label for g in reportable], [row.name],
                                              [[g.index for g in reportable]], title=_("各评议主体指数"),
                                              axis_label=_("满意度指数"), fmt="png"))
    if report.option_labels and row.option_counts:
        images.append(charts.grade_distribution_chart(
            [row.name], list(scored_option_labels(report)), [scored_shares(report, row)],
            title=_("评价等次分布"), fmt="png"))
    return images


def subject_pdf(report: SurveyReport, row: SubjectRow, generated_on: date, *,
                archive: ArchiveSeal | None = None) -> bytes:
    """Return one subject's results as an A4 PDF: index, interval, groups, dimensions, grades, charts."""
    subtitle = "｜".join(part for part in (row.unit, row.position_title, report.title,
                                            _("生成日期 %(date)s", date=generated_on.isoformat())) if part)
    story = pdf_layout.header(row.name, subtitle)
    stats = [_fmt_index(row.index), _fmt_interval(row.low, row.high), str(row.rank or "—"),
             phrasing.noted(str(row.rank_in_category or "—"), row.category or "—"), str(row.n)]
    story.append(pdf_layout.table([_("满意度指数"), _("95%区间"), _("总排名"), _("类别内排名"), _("计入人数")], [stats]))
    if row.is_disagreement_flagged:
        story.append(Spacer(1, 3 * mm))
        story.append(pdf_layout.paragraph(_("相互印证：") + disagreement_note(row), "notice"))
    if row.is_negative_flagged:
        story.append(pdf_layout.paragraph(negative_note(row), "notice"))
    story.append(pdf_layout.paragraph(_("各评议主体"), "h2"))
    group_rows = [[g.label, f"{g.weight:g}", str(g.n), _fmt_index(g.index)] if g.is_reportable
                  else [g.label, f"{g.weight:g}", INSUFFICIENT, INSUFFICIENT] for g in row.groups]
    story.append(pdf_layout.table([_("评议主体"), _("权重"), _("人数"), _("指数")], group_rows,
                        [x * mm for x in (50, 25, 25, 30)]))
    story.append(pdf_layout.paragraph(_("各维度"), "h2"))
    story.append(pdf_layout.table(list(report.dimension_labels), [[_fmt_index(v) for v in row.dimensions]]))
    if report.option_labels:
        story.append(pdf_layout.paragraph(_("评价等次分布"), "h2"))
        if row.option_counts:
            figures = figure_columns(report)
            header = [*report.option_labels, *(name.text() for name, _field in figures)]
            values = [*map(str, row.option_counts), *(_fmt_share(getattr(row, field)) for _name, field in figures)]
            story.append(pdf_layout.table(header, [values]))
            story.append(pdf_layout.paragraph(_("按“对象×维度”的评价次数计；“不了解”单列，不计入比例的分母。")))
        else:
            story.append(pdf_layout.paragraph(INSUFFICIENT))
    for png in _subject_charts(report, row):
        story += [Spacer(1, 4 * mm), pdf_layout.image(png, 130 * mm, 85 * mm)]
    story += _archive_story(archive)
    footer = _("%(title)s｜%(name)s｜生成日期 %(date)s", title=report.title, name=row.name,
               date=generated_on.isoformat())
    return pdf_layout.build_pdf(f"{row.name}｜{report.title}", footer + _archive_footer(archive), story)
