"""Rank methods of analytics.targets: competition places, ties, proportional points."""

from __future__ import annotations

import pytest

from analytics.targets import (
    InputError,
    ParameterError,
    RankPoints,
    RankProportional,
    competition_places,
    score_population,
)
from analytics.targets.base import FloatArray

SPEECH_LIST = RankPoints((60, 57, 54, 51, 48))  # 在全市排名1–5名的依次赋予60、57、54、51、48分


def earned(method: RankPoints | RankProportional, points: float, values: list[float | None]) -> list[float]:
    return [score.earned for score in score_population(method, points, values)]


def test_competition_places_share_and_skip() -> None:
    import numpy as np

    values: FloatArray = np.array([10.0, 9.0, 9.0, 7.0, np.nan])
    places = competition_places(values, lower_is_better=False)
    assert places[:4].tolist() == [1, 2, 2, 4] and np.isnan(places[4])
    assert competition_places(values, lower_is_better=True)[:4].tolist() == [4, 2, 2, 1]


def test_rank_list_with_ties_1_2_2_4() -> None:
    # places 1, 2, 2, 4, 5, 6 → 60, 57, 57, 51, 48, default 0 (the 2nd pair share 57; 3rd place is skipped)
    assert earned(SPEECH_LIST, 60, [95, 90, 90, 80, 70, 60]) == [60, 57, 57, 51, 48, 0]


def test_rank_list_input_order_does_not_matter() -> None:
    # Same population shuffled: each unit keeps its points
    assert earned(SPEECH_LIST, 60, [60, 90, 95, 70, 90, 80]) == [0, 57, 60, 48, 57, 51]


def test_rank_list_default_lower_is_better_and_missing() -> None:
    method = RankPoints((5, 3), default=1, lower_is_better=True)
    # fewest complaints first: 2 → 1st (5), 4 → 2nd (3), 9 → 3rd (default 1); None → missing 0
    scores = score_population(method, 5, [9, 2, None, 4])
    assert [s.earned for s in scores] == [1, 5, 0, 3]
    assert scores[2].missing and scores[2].steps[0].key == "missing"
    assert scores[0].steps[0].key == "rank_points.beyond"
    assert scores[1].steps[0].number("place") == 1


def test_rank_list_ties_step_says_how_many_share() -> None:
    scores = score_population(SPEECH_LIST, 60, [90, 90, 80])
    assert scores[0].steps[0].key == "rank_points.place.tied"
    assert scores[0].steps[0].number("tied") == 2
    assert scores[2].steps[0].key == "rank_points.place"
    assert scores[2].steps[0].number("place") == 3


def test_rank_ties_are_judged_after_rounding() -> None:
    # 0.1 + 0.2 and 0.3 differ by float noise only: they tie
    assert earned(SPEECH_LIST, 60, [0.1 + 0.2, 0.3, 0.2]) == [60, 60, 54]


def test_rank_empty_population() -> None:
    assert score_population(SPEECH_LIST, 60, []) == ()
    assert score_population(RankProportional(6), 6, []) == ()


def test_rank_all_missing() -> None:
    assert earned(SPEECH_LIST, 60, [None, None]) == [0, 0]


def test_rank_list_parameters() -> None:
    with pytest.raises(ParameterError) as not_monotone:
        RankPoints((50, 55))
    assert not_monotone.value.reason == "places_not_monotone"
    with pytest.raises(ParameterError) as default_high:
        RankPoints((50, 40), default=45)
    assert default_high.value.reason == "places_not_monotone"
    with pytest.raises(ParameterError) as above:
        score_population(SPEECH_LIST, 50, [1.0])
    assert above.value.reason == "above_points"


# ---- proportional -------------------------------------------------------------------------------

SPEECH_PROPORTIONAL = RankProportional(first_points=6, places=5)  # 第1名得6分，第2–5名按第1名的比例得分


def test_proportional_the_speech_example() -> None:
    # first 50 → 6; 40 → 6 × 40/50 = 4.8; 30 → 3.6; 25 → 3; 10 → 1.2; 6th place (5) → default 0
    assert earned(SPEECH_PROPORTIONAL, 6, [50, 40, 30, 25, 10, 5]) == pytest.approx([6, 4.8, 3.6, 3, 1.2, 0])


def test_proportional_with_ties() -> None:
    # 50, 50 share 1st → 6 each; 40 is 3rd → 6 × 40/50 = 4.8; 40 ties 3rd → 4.8; 20 is 5th → 2.4;
    # 10 is 6th → beyond the 5 places → 0
    scores = score_population(SPEECH_PROPORTIONAL, 6, [40, 50, 20, 50, 40, 10])
    assert [s.earned for s in scores] == pytest.approx([4.8, 6, 2.4, 6, 4.8, 0])
    assert scores[1].steps[0].key == "rank_proportional.first"
    assert scores[0].steps[0].key == "rank_proportional.higher"
    assert scores[0].steps[0].number("share_pct") == pytest.approx(80)
    assert scores[5].steps[0].key == "rank_proportional.beyond"


def test_proportional_lower_is_better() -> None:
    # shortest processing time first: 2 days → 6; 4 days → 6 × 2/4 = 3; 5 days → 6 × 2/5 = 2.4
    method = RankProportional(first_points=6, lower_is_better=True)
    assert earned(method, 6, [4, 2, 5]) == pytest.approx([3, 6, 2.4])
    # zero is the best possible: 0 → 6; anything else → 6 × 0/x = 0
    assert earned(method, 6, [0, 3]) == pytest.approx([6, 0])


def test_proportional_all_zero_all_tie_first() -> None:
    assert earned(RankProportional(first_points=6), 6, [0, 0, None]) == [6, 6, 0]


def test_proportional_refuses_negative_values_and_bad_parameters() -> None:
    with pytest.raises(InputError) as negative:
        score_population(SPEECH_PROPORTIONAL, 6, [5, -1])
    assert negative.value.reason == "negative_value"
    with pytest.raises(ParameterError) as places:
        RankProportional(first_points=6, places=0)
    assert places.value.reason == "places_out_of_range"
    with pytest.raises(ParameterError) as default:
        RankProportional(first_points=6, default=7)
    assert default.value.reason == "default_above_first"
