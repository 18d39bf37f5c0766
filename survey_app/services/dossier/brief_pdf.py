"""The pre-visit brief (进点前调阅) as an A4 PDF, built from a `brief.Brief` only, so it
shows exactly the page's facts and questions. Talks (个别谈话) are never in it. The footer of
every page names the reader who downloaded it and the date."""

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from survey_app.services.dossier.brief import Brief
from survey_app.services.dossier.brief_questions import ItemLine
from survey_app.services.platform import pdf_layout, phrasing
from survey_app.services.results.report_models import INSUFFICIENT


def _index(value: float | None) -> str:
    return INSUFFICIENT if value is None else f"{value:.1f}"


def _items(heading: str, items: tuple[ItemLine, ...], with_names: bool) -> list:
    story = [pdf_layout.paragraph(phrasing.noted(heading, str(len(items))), "h2")]
    if not items:
        return story + [pdf_layout.paragraph(_("暂无"))]
    header = ([_("干部")] if with_names else []) + [_("日期"), _("事项"), _("清单"), _("来源"), _("核实")]
    widths = [x * mm for x in ((18,) if with_names else ()) + (20, 74 if not with_names else 56, 14, 22, 30)]
    rows = []
    for item in items:
        text = phrasing.labelled(item.title, item.detail) if item.detail else item.title
        if item.visit:
            text += _("（考察：%(visit)s）", visit=item.visit)
        check = phrasing.labelled(item.status_label, item.note) if item.note else item.status_label
        rows.append(([item.subject] if with_names else []) + [item.occurred_on.isoformat(), text, item.kind_label,
                                                              item.source_label, check])
    return story + [pdf_layout.table(header, rows, widths)]


def brief_pdf(brief: Brief, viewer: str) -> bytes:
    """Return the brief as an A4 PDF: the same sections and questions as its page."""
    title = _("%(name)s 进点前调阅", name=brief.name)
    subtitle = "｜".join(p for p in (brief.unit if brief.kind == "cadre" else "", brief.position_title,
                                     _("编号 %(key)s", key=brief.key) if brief.key else "",
                                     _("生成日期 %(date)s", date=brief.today.isoformat())) if p)
    story = pdf_layout.header(title, subtitle)
    story.append(pdf_layout.paragraph(_("内部材料，注意保密。本材料不含个别谈话内容；本次调阅已记录。"), "notice"))
    story.append(pdf_layout.paragraph(_("%(year)d年度考核", year=brief.previous_year), "h2"))
    a = brief.assessment
    story.append(pdf_layout.paragraph(
        _("%(title)s：综合得分 %(score)s，排名 %(rank)s，等次 %(grade)s", title=a.title,
          score="—" if a.composite is None else f"{a.composite:.2f}",
          rank="—" if a.rank is None else f"{a.rank}/{a.category_size}", grade=a.grade or "—")
        if a else _("%(year)d年度无已确认的考核结果", year=brief.previous_year)))
    story.append(pdf_layout.paragraph(_("民主测评与服务质量评议"), "h2"))
    if brief.trends:
        rows = [[t.kind_label, "；".join(f"{p.year}：{_index(p.index)}" for p in t.points),
                 "—" if t.change is None else f"{t.change:+.1f}"] for t in brief.trends]
        story.append(pdf_layout.table([_("评议"), _("历年指数"), _("较上年")], rows, [x * mm for x in (30, 110, 24)]))
    else:
        story.append(pdf_layout.paragraph(_("暂无评议结果")))
    for signal in brief.signals:
        story.append(pdf_layout.paragraph("· " + signal.fact))
    with_names = brief.kind == "unit"
    story += _items(_("问题清单中的未结问题"), brief.open_problems, with_names)
    story += _items(_("待核实和存疑事项"), brief.unverified, with_names)
    story += _items(_("此前考察发现"), brief.findings, with_names)
    story += _items(_("巡视巡察反馈"), brief.patrol, with_names)
    story.append(pdf_layout.paragraph(phrasing.noted(_("逾期节点"), str(len(brief.overdue))), "h2"))
    if brief.overdue:
        story.append(pdf_layout.table(
            [_("重点项目"), _("节点"), _("计划日期"), _("逾期天数")],
            [[o.project, o.milestone, o.planned_on.isoformat(), str(o.days)] for o in brief.overdue],
            [x * mm for x in (60, 50, 30, 24)]))
    else:
        story.append(pdf_layout.paragraph(_("暂无")))
    story.append(pdf_layout.paragraph(_("待核实的问题"), "h2"))
    for number, question in enumerate(brief.questions, 1):  # paragraphs: a question reads whole, then its fact
        story.append(KeepTogether([pdf_layout.paragraph(f"{number}. {question.text}"),
                                   pdf_layout.paragraph(_("依据：%(basis)s", basis=question.basis), "notice")]))
    if not brief.questions:
        story.append(pdf_layout.paragraph(_("暂无")))
    footer = _("%(title)s｜调阅人 %(viewer)s｜生成日期 %(date)s", title=title, viewer=viewer,
               date=brief.today.isoformat())
    return pdf_layout.build_pdf(title, footer, story)
