"""Live turnout for the meeting hall's projector: counts only, never answers."""

from dataclasses import dataclass

from survey_app.models import Survey
from survey_app.services.respondents import codes

#: Turnout levels for the badge and bar colours, lowest percent of each, best first: a
#: hall at 8% must not look done (every badge was green).
LEVELS = (("high", 80), ("mid", 50), ("low", 0))


def level(percent: int | None) -> str:
    """Return "high" (≥ 80%), "mid" (≥ 50%), "low" or "none" (nobody expected)."""
    if percent is None:
        return "none"
    return next(name for name, lowest in LEVELS if percent >= lowest)


@dataclass(frozen=True)
class GroupTurnout:
    name: str
    expected: int  # 应参加: the group's expected count, else its live codes
    issued: int  # codes issued and not voided
    submitted: int  # 实参加: ballots, open-link ones included

    @property
    def percent(self) -> int | None:
        return round(100 * self.submitted / self.expected) if self.expected else None

    @property
    def level(self) -> str:
        return level(self.percent)


@dataclass(frozen=True)
class Turnout:
    title: str
    groups: list[GroupTurnout]

    @property
    def expected(self) -> int:
        return sum(g.expected for g in self.groups)

    @property
    def submitted(self) -> int:
        return sum(g.submitted for g in self.groups)

    @property
    def issued(self) -> int:
        return sum(g.issued for g in self.groups)

    @property
    def percent(self) -> int | None:
        return round(100 * self.submitted / self.expected) if self.expected else None

    @property
    def level(self) -> str:
        return level(self.percent)


def survey_turnout(survey: Survey) -> Turnout:
    """Return issued, submitted and turnout per group of a survey."""
    groups = []
    for counts in codes.group_counts(survey):
        live = counts.issued - counts.void
        groups.append(
            GroupTurnout(
                name=counts.group.name,
                expected=counts.group.expected_count or live,
                issued=live,
                submitted=counts.ballots,
            )
        )
    return Turnout(survey.title, groups)


def as_json(turnout: Turnout) -> dict:
    """Return the turnout as plain JSON data for the page's refresh."""
    def group(g):
        return {"name": g.name, "expected": g.expected, "issued": g.issued,
                "submitted": g.submitted, "percent": g.percent, "level": g.level}

    return {
        "title": turnout.title,
        "groups": [group(g) for g in turnout.groups],
        "total": {"expected": turnout.expected, "issued": turnout.issued,
                  "submitted": turnout.submitted, "percent": turnout.percent, "level": turnout.level},
    }
