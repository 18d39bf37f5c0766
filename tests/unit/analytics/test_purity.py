"""analytics imports no web or database code, and charts never touch pyplot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import analytics

FORBIDDEN = ("flask", "werkzeug", "flask_sqlalchemy", "sqlalchemy", "survey_app")


def test_importing_analytics_loads_no_web_or_database_module() -> None:
    code = (
        "import analytics, analytics.charts, sys; "
        f"bad=[m for m in {FORBIDDEN!r} if m in sys.modules]; "
        "sys.exit(1 if bad else 0)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], check=False, cwd=Path(analytics.__file__).parents[1]
    )
    assert completed.returncode == 0


def test_charts_do_not_load_pyplot() -> None:
    code = "import sys, analytics.charts as c; c.trend_chart(['1'], [('a', [1.0])]); sys.exit('matplotlib.pyplot' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", code], check=False, cwd=Path(analytics.__file__).parents[1]
    )
    assert completed.returncode == 0


def test_source_never_mentions_forbidden_imports() -> None:
    package = Path(analytics.__file__).parent
    for source in package.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        for name in FORBIDDEN:
            assert f"import {name}" not in text and f"from {name}" not in text, (
                f"{source.name} imports {name}"
            )
        assert "matplotlib.pyplot" not in text and "import pyplot" not in text, f"{source.name} uses pyplot"
