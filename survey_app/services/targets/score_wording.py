"""The arithmetic of a leaf's score in words: the Chinese templates for every step the
engine writes (analytics.targets.steps), e.g. "完成率 96%，每低1%扣0.2分：10 − 0.8 = 9.2".

A level bonus is scored from the counts per level (国家级 1 项 × 3 分 …), one step per
level with awards, then the capped total (docs/targets.md, "Scores").
"""

from collections.abc import Sequence
from dataclasses import replace

from flask_babel import gettext as _

from analytics import targets as engine
from survey_app.services.targets.level_counts import level_label


def templates() -> dict[str, str]:
    """Step key → template, in the request's language."""
    return {
        "missing": _("未填报，计 0 分"),
        "completion_ratio.higher": _("完成率 {rate_pct}%（{actual} ÷ {target}），计 {used_pct}%：{points} × {used_pct}% = {result}"),
        "completion_ratio.lower": _("完成率 {rate_pct}%（目标 {target} ÷ 实际 {actual}），计 {used_pct}%：{points} × {used_pct}% = {result}"),
        "completion_ratio.zero_denominator": _("实际 {actual}，目标 {target}：分母为 0，完成率按 {result}% 计"),
        "linear_deduction.percent.higher": _("完成率 {rate_pct}%，每低{step}%扣{per_step}分：{points} − {deduction} = {result}"),
        "linear_deduction.percent.lower": _("实际 {actual}，超出目标 {target} 的 {miss}%，每超{step}%扣{per_step}分：{points} − {deduction} = {result}"),
        "linear_deduction.absolute.higher": _("实际 {actual}，比目标 {target} 少 {miss}，每少{step}扣{per_step}分：{points} − {deduction} = {result}"),
        "linear_deduction.absolute.lower": _("实际 {actual}，比目标 {target} 多 {miss}，每多{step}扣{per_step}分：{points} − {deduction} = {result}"),
        "tiers.percent.higher": _("完成率 {value}%，达到 {threshold}% 档：{result} 分"),
        "tiers.percent.lower": _("完成率 {value}%，达到 {threshold}% 档：{result} 分"),
        "tiers.absolute.higher": _("实际 {value}，达到 {threshold} 档：{result} 分"),
        "tiers.absolute.lower": _("实际 {value}，不超过 {threshold} 档：{result} 分"),
        "tiers.percent.higher.below": _("完成率 {value}%，未达任何一档：{result} 分"),
        "tiers.percent.lower.below": _("完成率 {value}%，未达任何一档：{result} 分"),
        "tiers.absolute.higher.below": _("实际 {value}，未达任何一档：{result} 分"),
        "tiers.absolute.lower.below": _("实际 {value}，未达任何一档：{result} 分"),
        "rank_points.place": _("实际 {value}，第{place}名：{result} 分"),
        "rank_points.place.tied": _("实际 {value}，并列第{place}名（{tied}个单位）：{result} 分"),
        "rank_points.beyond": _("实际 {value}，第{place}名（前{places}名以外）：{result} 分"),
        "rank_proportional.first": _("实际 {value}，第{place}名：{result} 分"),
        "rank_proportional.higher": _("实际 {value}，第{place}名，为第1名 {first_value} 的 {share_pct}%：{first_points} × {share_pct}% = {result}"),
        "rank_proportional.lower": _("实际 {value}，第{place}名，第1名 {first_value} 为其 {share_pct}%：{first_points} × {share_pct}% = {result}"),
        "rank_proportional.beyond": _("实际 {value}，第{place}名（前{places}名以外）：{result} 分"),
        "count_deduction": _("发现问题 {count} 次，每次扣{per_occurrence}分：{points} − {deduction} = {result}"),
        "count_deduction.capped": _("发现问题 {count} 次，每次扣{per_occurrence}分，最多扣{limit}分：{points} − {deduction} = {result}"),
        "level_bonus.level": _("{label} {count} 项 × {each} 分 = {result}"),
        "level_bonus.total": _("加分合计 {total}：{result} 分"),
        "level_bonus.total.capped": _("加分合计 {total}，最多 {limit} 分：{result} 分"),
        "judged": _("核验评定：{judged} 分（满分 {points}）"),
        "difficulty": _("难度系数 {coefficient}：{earned} × {coefficient} = {result}"),
        "difficulty.capped": _("难度系数 {coefficient}：{earned} × {coefficient} = {raw}，以分值 {points} 封顶"),
    }


def word(steps: Sequence[engine.Step], table: dict[str, str]) -> str:
    """Word a leaf's steps (a step without a template is named by its key, never a 500)."""
    parts = []
    for item in steps:
        if item.key == "level_bonus.level" and item.label:
            item = replace(item, label=level_label(item.label))
        try:
            parts.append(engine.format_step(item, table))
        except (KeyError, IndexError, ValueError):
            parts.append(f"{item.key} = {engine.format_number(item.result)}")
    return "；".join(parts)
