"""Cross-checking (相互印证) between reportable respondent groups."""

from __future__ import annotations

import pytest

from analytics import find_disagreement, subject_indices
from tests.unit.analytics.builders import make_spec, score_ballots


def test_gap_above_threshold_is_flagged_with_its_two_groups() -> None:
    found = find_disagreement([70.0, 90.0, 80.0], 15.0)
    assert found is not None
    assert (found.gap, found.high_group, found.low_group, found.is_flagged) == (20.0, 1, 0, True)


def test_gap_equal_to_threshold_is_not_flagged() -> None:
    found = find_disagreement([70.0, 85.0], 15.0)
    assert found is not None
    assert not found.is_flagged


def test_non_reportable_groups_take_no_part() -> None:
    assert find_disagreement([70.0, None], 15.0) is None
    found = find_disagreement([None, 60.0, 62.0], 15.0)
    assert found is not None
    assert (found.high_group, found.low_group, found.gap) == (2, 1, pytest.approx(2.0))


def test_subject_flag_uses_only_reportable_groups() -> None:
    answers = score_ballots(
        (0, {0: [90.0]}),
        (0, {0: [90.0]}),
        (1, {0: [70.0]}),
        (1, {0: [70.0]}),
        (2, {0: [10.0]}),  # a lone respondent: below min size, never compared
    )
    spec = make_spec(groups=(("上级", 1.0, 2), ("服务对象", 1.0, 2), ("同级", 1.0, 2)), disagreement_gap=15.0)
    (result,) = subject_indices(answers, spec)
    assert result.disagreement is not None
    assert (result.disagreement.gap, result.disagreement.is_flagged) == (20.0, True)
    assert (result.disagreement.high_group, result.disagreement.low_group) == (0, 1)
    (relaxed,) = subject_indices(
        answers,
        make_spec(groups=(("上级", 1.0, 2), ("服务对象", 1.0, 2), ("同级", 1.0, 2)), disagreement_gap=25.0),
    )
    assert relaxed.disagreement is not None
    assert not relaxed.disagreement.is_flagged
