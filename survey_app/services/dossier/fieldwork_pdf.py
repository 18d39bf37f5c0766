"""The dossier PDF's 一线考察 pages, from the page's own `fieldwork.Fieldwork`: the 相互印证
flag, the visits, the linked key projects with 序时进度 and overdue milestones, and the
verified findings."""

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from survey_app.services.dossier.evidence import KIND_SHORT
from survey_app.services.dossier.fieldwork import Fieldwork
from survey_app.services.platform import pdf_layout


def _percent(value: int | None) -> str:
    return "—" if value is None else f"{value}%"


def _projects(fieldwork: Fieldwork) -> list:
    if not fieldwork.projects:
        return [pdf_layout.paragraph(_("未挂钩重点项目"))]
    rows = []
    for card in fieldwork.projects:
        late = "、".join(_("%(name)s（逾期 %(n)d 天）", name=m.name, n=m.days_overdue) for m in card.overdue)
        rows.append([card.name, card.level_label, _percent(card.expected_percent), _percent(card.actual_percent),
                     late or "—"])
    return [pdf_layout.table([_("重点项目"), _("级别"), _("应完成"), _("实际完成"), _("逾期节点")], rows,
                             [x * mm for x in (50, 14, 18, 18, 74)])]


def fieldwork_story(fieldwork: Fieldwork) -> list:
    """Return the 一线考察 section as flowables."""
    story = [pdf_layout.paragraph(_("一线考察"), "h2")]
    if fieldwork.flag:
        story.append(pdf_layout.paragraph(_("相互印证：") + fieldwork.flag_text, "notice"))
    elif fieldwork.rating_source:
        story.append(pdf_layout.paragraph(_("相互印证：未见矛盾（最近一次评价：%(source)s）。",
                                            source=fieldwork.rating_source)))
    visits = [[v.period, v.title, v.units, v.methods + ("" if v.announced else _("（不打招呼）")), str(v.findings)]
              for v in fieldwork.visits]
    story.append(KeepTogether([
        pdf_layout.paragraph(_("考察纪实")),
        pdf_layout.table([_("日期"), _("考察事项"), _("考察单位"), _("考察方式"), _("发现事项")], visits,
                         [x * mm for x in (28, 56, 40, 40, 10)]) if visits else pdf_layout.paragraph(_("暂无考察记录")),
    ]))
    story.append(pdf_layout.paragraph(_("挂钩重点项目")))
    story += _projects(fieldwork)
    story.append(pdf_layout.paragraph(_("考察发现（已核实）")))
    if fieldwork.verified:
        story.append(pdf_layout.table(
            [_("日期"), _("清单"), _("事项"), _("考察")],
            [[f.occurred_on.isoformat(), str(KIND_SHORT[f.kind]), f.title, f.visit_title] for f in fieldwork.verified],
            [x * mm for x in (22, 14, 80, 58)]))
    else:
        story.append(pdf_layout.paragraph(_("暂无已核实的考察发现")))
    return story
