"""Results exports: an Excel workbook, the JSON of the results API, and the anonymous raw
ballots as CSV (the PDFs are in `report_pdfs`, the wording both share in `report_wording`).

Everything except the raw CSV is built from a `report_models.SurveyReport`, so each export
shows exactly the figures of the results pages, and groups below their minimum size
appear only as 样本不足 (the view models already carry no figures for them). The raw CSV
reads the ballots from the database and leaves out every row of a (subject, group) pair
that the report marks as not reportable, so no small group leaks through it either.

No helper reads the clock: the caller passes the generation date. An archived survey's
workbook also carries its archive checksum (`services/results/archive.py`), passed in by
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
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Ballot, Rating, Survey
from survey_app.services.platform.sheets import safe_text, write_sheet
from survey_app.services.results import answer_exports
from survey_app.services.results.answers import AnswersView
from survey_app.services.results.archive import ArchiveSeal
from survey_app.services.results.report_models import (
    INSUFFICIENT,
    SubjectRow,
    SurveyReport,
    UnitRow,
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

INDEX_FORMAT, SHARE_FORMAT, COUNT_FORMAT = "0.0", "0.0%", "0"


def download_name(report: SurveyReport, suffix: str) -> str:
    """Return a file name like "2026年度民主测评-评议结果.xlsx" without path or control characters."""
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", report.title).strip(" ._") or str(report.survey_id)
    return f"{stem}-{suffix}"


# ---- shared wording -------------------------------------------------------------------


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
         *(getattr(row, field) for _name, field in figures), disagreement_note(row), negative_note(row)]
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
    rows += [[label, value] for label, value in archive_lines(archive)]
    rows.append(["", ""])
    rows += [[_("计算方法") if i == 0 else "", line] for i, line in enumerate(method_lines())]
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
