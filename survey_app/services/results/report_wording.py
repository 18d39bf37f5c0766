"""The wording the results exports share: the notes on a flagged subject, the method
paragraph and the archive checksum lines, so the workbook and the PDFs say the same.
"""

from flask_babel import gettext as _

from survey_app.services.results.archive import ArchiveSeal
from survey_app.services.results.report_models import SubjectRow


def disagreement_note(row: SubjectRow) -> str:
    if not row.is_disagreement_flagged or row.disagreement_groups is None:
        return ""
    high, low = row.disagreement_groups
    return _("“%(high)s”与“%(low)s”相差 %(gap).1f 分，建议核实", high=high, low=low, gap=row.disagreement_gap)


def negative_note(row: SubjectRow) -> str:
    if not row.is_negative_flagged:
        return ""
    return _("差评比例 %(share).1f%%，超过设定阈值", share=(row.negative_share or 0) * 100)


def method_lines() -> list[str]:
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


def archive_lines(archive: ArchiveSeal | None) -> list[tuple[str, str]]:
    """Label and value of the archive checksum (docs/operations.md), when there is one."""
    if archive is None:
        return []
    return [(_("归档校验值（SHA-256）"), archive.sha256),
            (_("归档时间"), archive.archived_at.isoformat(timespec="seconds"))]

