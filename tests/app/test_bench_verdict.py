"""bench/load.py's verdict (issue #12, 15): the load test fails on any error in any phase.

At 500 concurrent phones the open-link burst got one HTTP 500 in 1,000 requests, and the
run still printed "errors (pages + submit) 0" and exited 0: the verdict counted neither
the open burst nor any phase but pages and submit.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def load():
    sys.path.insert(0, str(BENCH))
    try:
        spec = importlib.util.spec_from_file_location("bench_load", BENCH / "load.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH))


def _phase(load, name, outcomes, steps=("page", "submit"), timed_out=False):
    harness = sys.modules["_harness"]
    figures = [harness.StepFigures(step, len(outcomes), 0, 0.0, 0.0, 0.0, 0.0) for step in steps]
    return harness.Phase(name, 10, figures, outcomes, [None] * len(outcomes), 1.0, {}, timed_out, [])


def test_one_500_in_the_open_burst_fails_the_run_naming_the_phase(load):
    clean = _phase(load, "pages", [[(200, 0.01, None)]] * 50, steps=("page",))
    open_burst = _phase(load, "open", [[(200, 0.01, None), (303, 0.02, None)]] * 999
                        + [[(200, 0.01, None), (500, 0.02, "HTTP 500")]])
    assert load._failed_phases([clean]) == []
    lines = load._failed_phases([clean, open_burst])
    assert len(lines) == 1 and "FAIL phase open" in lines[0] and "HTTP 500: 1" in lines[0]


def test_any_4xx_or_5xx_counts_but_the_race_may_answer_409(load):
    refused = _phase(load, "submit", [[(429, 0.01, "HTTP 429")]], steps=("submit",))
    assert "HTTP 429: 1" in load._failed_phases([refused])[0]
    race = _phase(load, "race", [[(303, 0.01, "HTTP 303")], [(409, 0.01, "HTTP 409")]], steps=("submit",))
    assert load._failed_phases([race]) == []
    broken = _phase(load, "race", [[(303, 0.01, "HTTP 303")], [(500, 0.01, "HTTP 500")]], steps=("submit",))
    assert "FAIL phase race" in load._failed_phases([broken])[0]


def test_requests_never_sent_and_transport_errors_count(load):
    # bench/_client.py reports every step a stopped phase never finished as "timeout".
    cut = _phase(load, "submit", [[(0, None, "timeout")], [(0, 0.1, "ConnectionResetError")]], steps=("submit",),
                 timed_out=True)
    line = load._failed_phases([cut])[0]
    assert "timeout: 1" in line and "ConnectionResetError: 1" in line and "time limit" in line
    mixed = _phase(load, "warm-up", [[(200, 0.01, None), (303, 0.01, None)], [(200, 0.01, None)]])
    assert load._failed_phases([mixed]) == []  # items of different lengths are not "unsent"
