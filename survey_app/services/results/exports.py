"""Results exports: an Excel workbook, PDF reports (survey and subject), the JSON of the
results API, and the anonymous raw ballots as CSV.

Everything except the raw CSV is built from a `reports.SurveyReport`, so each export
shows exactly the figures of the results pages, and groups below their minimum size
appear only as 样本不足 (the view models already carry no figures for them). The raw CSV
reads the ballots from the database and leaves out every row of a (subject, group) pair
that the report marks as not reportable, so no small group leaks through it either.

No helper reads the clock: the caller passes the generation date. An archived survey's
workbook and PDFs also carry its archive checksum (`services/results/archive.py`), passed in by
the caller.
"""

import csv
import io
import random
import re
from datetime import date, datetime, time

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib.units import mm
from reportlab.platypus import Spacer
from sqlalchemy import select

from analytics import charts
from survey_app.extensions import db
from survey_app.models import Ballot, Rating, Survey
from survey_app.services.platform import pdf_layout, phrasing
from survey_app.services.platform.sheets import safe_text, write_sheet
from survey_app.services.results import answer_exports
from survey_app.services.results.answers import AnswersView
from survey_app.services.results.archive import ArchiveSeal
from survey_app.services.results.reports import (
    INSUFFICIENT,
    SubjectRow,
    SurveyReport,
    UnitRow,
    figure_columns,
    scored_option_labels,
    scored_shares,
)

INDEX_FORMAT, SHARE_FORMAT, COUNT_FORMAT = "0.0", "0.0%", "0"

#: Rows of the ranking chart in the PDF, as on the results page.
CHART_ROWS = 40


def download_name(report: SurveyReport, suffix: str) -> str:
    """Return a file name like "2026年度民主测评-评议结果.xlsx" without path or control characters."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", report.title).strip(" ._") or str(report.survey_id)
    return f"{stem}-{suffix}"


# ---- shared wording -------------------------------------------------------------------


def _disagreement_note(row: SubjectRow) -> str:
    if not row.is_disagreement_flagged or row.disagreement_groups is None:
        return ""
    high, low = row.disagreement_groups
    return _("“%(high)s”与“%(low)s”相差 %(gap).1f 分，建议核实", high=high, low=low, gap=row.disagreement_gap)


def _negative_note(row: SubjectRow) -> str:
    if not row.is_negative_flagged:
        return ""
    return _("差评比例 %(share).1f%%，超过设定阈值", share=(row.negative_share or 0) * 100)


def _method_lines() -> list[str]:
    return [
        _("满意度指数（0–100）：每位评议人对某一对象各维度的得分按维度权重加权平均，得到个人综合分；"
          "同一评议主体内取平均，再按评议主体的权重加权。"),
        _("“不了解”不计分，也不计入优秀率、称职率、满意率的分母。"),
        _("评议主体人数少于其最低人数时，不单独显示（样本不足），也不计入指数；某一维度评价人数少于该最低人数时，"
          "这些评价不计入任何数字（维度指数、等次分布、单位指数等），以免被其他数字推算出来。"),
        _("95%区间：由各评议主体内综合分的方差估计的近似置信区间。"),
        _("排名按指数（保留两位小数比较）从高到低，并列者名次相同；没有指数的对象不参加排名。"),
        _("分歧提示：两个评议主体的指数相差超过设定分值，建议核实（相互印证）；"
          "差评提示：不称职/不满意/差的比例超过设定阈值。"),
        _("等次分布按“对象×维度”的评价次数统计。"),
    ]


def _archive_lines(archive: ArchiveSeal | None) -> list[tuple[str, str]]:
    """Label and value of the archive checksum (docs/operations.md), when there is one."""
    if archive is None:
        return []
    return [(_("归档校验值（SHA-256）"), archive.sha256),
            (_("归档时间"), archive.archived_at.isoformat(timespec="seconds"))]


def _index_or_insufficient(value: float | None):
    return INSUFFICIENT if value is None else value


# ---- Excel ----------------------------------------------------------------------------


def _ranking_sheet(sheet: Worksheet, report: SurveyReport) -> None:
    sheet.title = _("排名")
    figures = figure_columns(report)
    headers = [_("排名"), _("类别内排名"), _("评议对象"), _("职务"), _("单位"), _("单位类别"), _("满意度指数"),
               _("95%区间下限"), _("95%区间上限"), _("计入人数"), *(name.text() for name, _field in figures),
               _("分歧提示"), _("差评提示")]
    rows = (
        [row.rank, row.rank_in_category, row.name, row.position_title, row.unit, row.category,
         _index_or_insufficient(row.index), row.low, row.high, row.n,
         *(getattr(row, field) for _name, field in figures), _disagreement_note(row), _negative_note(row)]
        for row in report.subjects
    )
    formats = {7: INDEX_FORMAT, 8: INDEX_FORMAT, 9: INDEX_FORMAT, 10: COUNT_FORMAT}
    formats |= {11 + i: SHARE_FORMAT for i in range(len(figures))}
    write_sheet(sheet, headers, rows, [6, 9, 14, 14, 20, 12, 11, 12, 12, 9] + [11] * len(figures) + [36, 24],
                formats)


def _dimensions_sheet(sheet: Worksheet, report: SurveyReport) -> None:
    """One row per subject, one column per dimension: D(s, d) over the disclosed answers,
    样本不足 where no reportable group has enough answers on the dimension."""
    headers = [_("排名"), _("评议对象"), _("单位"), *report.dimension_labels]
    rows = ([row.rank, row.name, row.unit, *(_index_or_insufficient(value) for value in row.dimensions)]
            for row in report.subjects)
    formats = {4 + i: INDEX_FORMAT for i in range(len(report.dimension_labels))}
    write_sheet(sheet, headers, rows, [6, 14, 20] + [12] * len(report.dimension_labels), formats)


def _groups_sheet(sheet: Worksheet, report: SurveyReport) -> None:
    headers = [_("排名"), _("评议对象"), _("单位")]
    for label in report.group_labels:
        headers += [_("%(group)s·人数", group=label), _("%(group)s·指数", group=label)]
    rows = []
    for row in report.subjects:
        cells = [row.rank, row.name, row.unit]
        for group in row.groups:
            cells += [group.n, group.index] if group.is_reportable else [INSUFFICIENT, INSUFFICIENT]
        rows.append(cells)
    formats = {}
    for i in range(len(report.group_labels)):
        formats[4 + 2 * i], formats[5 + 2 * i] = COUNT_FORMAT, INDEX_FORMAT
    write_sheet(sheet, headers, rows, [6, 14, 20] + [11, 11] * len(report.group_labels), formats)


def _grades_sheet(sheet: Worksheet, report: SurveyReport) -> None:
    scored = scored_option_labels(report)
    if not scored:
        write_sheet(sheet, [_("说明")], [[_("本问卷为直接打分，没有评价等次。")]], [40])
        return
    headers = [_("评议对象"), _("单位")]
    headers += [_("%(option)s（次）", option=label) for label in scored]
    headers += [_("不了解（次，单列）")]
    headers += [_("%(option)s占比", option=label) for label in scored]
    rows = []
    for row in report.subjects:
        if not row.option_counts:
            rows.append([row.name, row.unit] + [INSUFFICIENT] * (2 * len(scored) + 1))
            continue
        counts = [count for count, unknown in zip(row.option_counts, report.option_is_unknown, strict=True)
                  if not unknown]
        rows.append([row.name, row.unit, *counts, row.unknown_count, *scored_shares(report, row)])
    count_columns = range(3, 4 + len(scored))
    share_columns = range(4 + len(scored), 4 + 2 * len(scored))
    formats = {c: COUNT_FORMAT for c in count_columns} | {c: SHARE_FORMAT for c in share_columns}
    write_sheet(sheet, headers, rows, [14, 20] + [11] * (2 * len(scored) + 1), formats)


def _unit_cells(unit: UnitRow) -> list:
    return [unit.rank, unit.rank_in_category, unit.name, unit.category, _index_or_insufficient(unit.index),
            unit.low, unit.high, unit.n]


def _units_sheet(sheet: Worksheet, report: SurveyReport) -> None:
    headers = [_("排名"), _("类别内排名"), _("单位"), _("单位类别"), _("满意度指数"), _("95%区间下限"),
               _("95%区间上限"), _("计入人数")]
    formats = {5: INDEX_FORMAT, 6: INDEX_FORMAT, 7: INDEX_FORMAT, 8: COUNT_FORMAT}
    write_sheet(sheet, headers, (_unit_cells(u) for u in report.units), [6, 9, 22, 12, 11, 12, 12, 9], formats)


def _summary_rows(report: SurveyReport, generated_on: date, is_scoped: bool) -> list[list]:
    return [
        [_("评议活动"), report.title],
        [_("年度"), report.year],
        [_("有效答卷"), report.ballots],
        [_("已剔除答卷"), report.excluded],
        [_("全体平均指数"), _index_or_insufficient(report.survey_average)],
        [_("内部一致性 α"), report.alpha],
        [_("评议人一致性 ICC(2,k)"), report.icc],
        [_("数据质量存疑的答卷"), report.flagged_ballots],
        [_("范围"), _("仅限您权限范围内的单位") if is_scoped else _("全部评议对象")],
        [_("生成日期"), generated_on.isoformat()],
    ]


def _notes_sheet(sheet: Worksheet, report: SurveyReport, generated_on: date, is_scoped: bool,
                 archive: ArchiveSeal | None = None) -> None:
    rows = _summary_rows(report, generated_on, is_scoped)
    rows += [[label, value] for label, value in _archive_lines(archive)]
    rows.append(["", ""])
    rows += [[_("计算方法") if i == 0 else "", line] for i, line in enumerate(_method_lines())]
    rows.append([_("样本不足"), _("评议主体人数少于最低人数，结果不单独显示。")])
    write_sheet(sheet, [_("项目"), _("内容")], rows, [22, 100])
    coefficients = {_("内部一致性 α"), _("评议人一致性 ICC(2,k)")}
    for label, cell in sheet.iter_rows(min_row=2, max_col=2):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(cell.value, float):
            cell.number_format = "0.00" if label.value in coefficients else INDEX_FORMAT


def results_workbook(report: SurveyReport, generated_on: date, *, is_scoped: bool = False,
                     archive: ArchiveSeal | None = None, answers: AnswersView | None = None) -> bytes:
    """Return the results as an .xlsx workbook: 排名, 评议主体, 等次分布, 单位 and 说明
    (with the archive checksum when the survey is archived), then 选择题统计 and 文字意见
    when `answers` is given."""
    workbook = Workbook()
    workbook.properties.title = report.title
    workbook.properties.creator = "Pingyi"
    workbook.properties.created = datetime.combine(generated_on, time())
    _ranking_sheet(workbook.active, report)
    _groups_sheet(workbook.create_sheet(_("评议主体")), report)
    _dimensions_sheet(workbook.create_sheet(_("各维度")), report)
    _grades_sheet(workbook.create_sheet(_("等次分布")), report)
    _units_sheet(workbook.create_sheet(_("单位")), report)
    _notes_sheet(workbook.create_sheet(_("说明")), report, generated_on, is_scoped, archive)
    if answers is not None:
        answer_exports.add_sheets(workbook, answers)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- raw ballots (CSV) ----------------------------------------------------------------


def raw_ballots_csv(survey: Survey, report: SurveyReport) -> bytes:
    """Return the survey's counted ballots as anonymous CSV rows (UTF-8 with BOM).

    One row per ballot × subject × dimension. 答卷编号 numbers the exported ballots
    1..B in an order shuffled by a generator seeded with the survey id: not the database
    id, and not the order of submission. Rows of a (subject, group) pair that `report`
    (the survey's full, unscoped report) marks as not reportable are left out.
    """
    if report.survey_id != survey.id:
        raise ValueError("the report belongs to another survey")
    reportable = {
        (row.subject_id, group.id)
        for row in report.subjects
        for group, group_row in zip(survey.groups, row.groups, strict=True)
        if group_row.is_reportable
    }
    db.session.flush()
    result = db.session.connection().execute(
        select(Ballot.id, Ballot.group_id, Rating.subject_id, Rating.dimension_id, Rating.option_id, Rating.score)
        .join(Rating, Rating.ballot_id == Ballot.id)
        .where(Ballot.survey_id == survey.id, Ballot.is_excluded.is_(False))
    )
    try:  # the DBAPI's own tuples: a million rows through SQLAlchemy Row objects take seconds
        kept = [row for row in result.cursor.fetchall() if (row[2], row[1]) in reportable]
    finally:
        result.close()
    ballot_ids = sorted({row[0] for row in kept})
    random.Random(survey.id).shuffle(ballot_ids)
    number = {ballot_id: i for i, ballot_id in enumerate(ballot_ids, 1)}

    # Texts and sort positions once per item, not once per row.
    group_text = {g.id: safe_text(g.name) for g in survey.groups}
    subject_text = {s.id: (safe_text(s.key), safe_text(s.name)) for s in survey.subjects}
    dimension_text = {d.id: safe_text(d.name) for d in survey.dimensions}
    option_text = {o.id: safe_text(o.label) for o in survey.scale_options} | {None: ""}
    subject_order = {s.id: i for i, s in enumerate(survey.subjects)}
    dimension_order = {d.id: i for i, d in enumerate(survey.dimensions)}
    span = len(dimension_order) + 1
    kept.sort(key=lambda r: (number[r[0]] * (len(subject_order) + 1) + subject_order[r[2]]) * span
              + dimension_order[r[3]])

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("答卷编号"), _("评议主体"), _("评议对象编号"), _("评议对象"), _("维度"), _("选项"), _("分值")])
    writer.writerows(
        (number[ballot_id], group_text[group_id], *subject_text[subject_id], dimension_text[dimension_id],
         option_text.get(option_id, ""), "" if score is None else f"{score:g}")
        for ballot_id, group_id, subject_id, dimension_id, option_id, score in kept
    )
    return buffer.getvalue().encode("utf-8-sig")


# ---- JSON (results API, CLI) ----------------------------------------------------------


def _group_json(group) -> dict:
    if not group.is_reportable:
        return {"label": group.label, "insufficient": True}
    return {"label": group.label, "weight": group.weight, "n": group.n, "index": group.index}


def _subject_json(report: SurveyReport, row: SubjectRow) -> dict:
    grades = None
    if report.option_labels:
        grades = {
            "counts": dict(zip(report.option_labels, row.option_counts, strict=False)) if row.option_counts else None,
            "unknown": row.unknown_count,
            "shares": dict(zip(scored_option_labels(report), scored_shares(report, row), strict=False))
            if row.option_counts else None,
            "top_share": row.top_share,
            "pass_share": row.pass_share,
            "satisfied_share": row.satisfied_share,
            "negative_share": row.negative_share,
        }
    return {
        "id": row.subject_id,
        "key": row.key,
        "name": row.name,
        "position_title": row.position_title,
        "unit": row.unit,
        "category": row.category,
        "index": row.index,
        "interval": {"low": row.low, "high": row.high} if row.low is not None else None,
        "n": row.n,
        "rank": row.rank,
        "rank_in_category": row.rank_in_category,
        "groups": [_group_json(group) for group in row.groups],
        "dimensions": [{"label": label, "index": value}
                       for label, value in zip(report.dimension_labels, row.dimensions, strict=False)],
        "grades": grades,
        "flags": {
            "disagreement": row.is_disagreement_flagged,
            "disagreement_gap": row.disagreement_gap,
            "disagreement_groups": list(row.disagreement_groups) if row.disagreement_groups else None,
            "negative": row.is_negative_flagged,
        },
    }


def _unit_json(unit: UnitRow) -> dict:
    return {
        "name": unit.name,
        "category": unit.category,
        "index": unit.index,
        "interval": {"low": unit.low, "high": unit.high} if unit.low is not None else None,
        "n": unit.n,
        "rank": unit.rank,
        "rank_in_category": unit.rank_in_category,
    }


def results_json(report: SurveyReport) -> dict:
    """Return the report as JSON-ready data (the results API's body; docs/api.md)."""
    return {
        "survey": {
            "id": report.survey_id,
            "title": report.title,
            "year": report.year,
            "ballots": report.ballots,
            "excluded": report.excluded,
            "average": report.survey_average,
            "reliability": {"alpha": report.alpha, "icc": report.icc},
            "flagged_ballots": report.flagged_ballots,
        },
        "dimensions": list(report.dimension_labels),
        "groups": list(report.group_labels),
        "options": list(report.option_labels),
        "figures": {key: name.text() if name else None for key, name in (
            ("top", report.figures.top), ("pass", report.figures.passing), ("negative", report.figures.negative))},
        "subjects": [_subject_json(report, row) for row in report.subjects],
        "units": [_unit_json(unit) for unit in report.units],
    }


# ---- PDF ------------------------------------------------------------------------------

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
         phrasing.clauses(note for note in (_disagreement_note(row), _negative_note(row)) if note)]
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
    return [pdf_layout.paragraph(phrasing.labelled(label, value)) for label, value in _archive_lines(archive)]


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
    story += [pdf_layout.paragraph(line) for line in _method_lines()]
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
        story.append(pdf_layout.paragraph(_("相互印证：") + _disagreement_note(row), "notice"))
    if row.is_negative_flagged:
        story.append(pdf_layout.paragraph(_negative_note(row), "notice"))
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
