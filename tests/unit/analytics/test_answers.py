"""Choice tallies and number statistics of extra questions, computed by hand."""

import numpy as np
import pytest

from analytics.answers import choice_tally, number_summary
from analytics.charts import choice_shares_chart


def test_single_choice_counts_and_shares_per_group_and_total():
    # ballots 0-2 in group 0 chose A, A, B; ballot 3 in group 1 chose B.
    tally = choice_tally(["A", "B"], ["上级", "同级"], np.array([0, 1, 2, 3]), np.array([0, 0, 0, 1]),
                         np.array([0, 0, 1, 1]))
    assert tally.counts == ((2, 1), (0, 1)) and tally.respondents == (3, 1)
    assert tally.total_counts == (2, 2) and tally.total_respondents == 4
    assert tally.shares(0) == pytest.approx((2 / 3, 1 / 3)) and tally.shares() == (0.5, 0.5)


def test_multiple_choice_shares_are_of_respondents_not_of_choices():
    # ballot 0 chose A and B, ballot 1 chose A: A 2/2, B 1/2 (adding up to 150 %).
    tally = choice_tally(["A", "B", "C"], ["g"], np.array([0, 0, 1]), np.array([0, 0, 0]), np.array([0, 1, 0]))
    assert tally.respondents == (2,) and tally.shares(0) == (1.0, 0.5, 0.0)


def test_unknown_options_are_not_counted_and_empty_input_has_no_shares():
    tally = choice_tally(["A"], ["g"], np.array([0]), np.array([0]), np.array([-1]))
    assert tally.counts == ((0,),) and tally.respondents == (0,) and tally.shares(0) == (None,)
    empty = choice_tally(["A", "B"], [], np.array([], dtype=np.int64), np.array([], dtype=np.int64),
                         np.array([], dtype=np.int64))
    assert empty.total_counts == (0, 0) and empty.shares() == (None, None)


def test_number_summary_by_hand():
    summary = number_summary([2, 4, 6, 8])
    assert (summary.n, summary.mean, summary.median, summary.minimum, summary.maximum) == (4, 5, 5, 2, 8)
    assert (summary.q1, summary.q3) == (3.5, 6.5)
    assert number_summary([7]).q1 == 7 and number_summary([]).mean is None
    assert number_summary([1.0, float("nan")]).n == 1


def test_choice_chart_is_a_png_and_an_svg():
    shares = [[0.75, 0.25], [0.5, None]]
    assert choice_shares_chart(["满意", "不满意"], ["上级", "合计"], shares, title="总体评价").startswith(b"\x89PNG")
    assert b"<svg" in choice_shares_chart(["满意", "不满意"], ["上级", "合计"], shares, fmt="svg")
