"""Importing a roster (名册) into a draft survey: near-duplicate unit names the organizer
decides on (merge or create), then subjects and groups added or updated by key, all or
nothing. The workbook format is roster_format.py, reading a file roster_reading.py.

Reading and importing are separate steps so that every problem in a file is reported at
once, each with its sheet, row and column, before anything is written: a roster is
imported whole or not at all. See docs/rosters.md for the format and the messages.
"""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from survey_app.errors import DomainError, StructureLocked, ValidationFailed
from survey_app.extensions import db
from survey_app.models import RespondentGroup, Subject, Survey, Unit, User
from survey_app.services.design import surveys
from survey_app.services.design.roster_format import GROUP_SHEET, GroupRow, Roster, SubjectRow
from survey_app.services.design.roster_reading import parse_roster, quoted
from survey_app.services.platform import audit


@dataclass(frozen=True, slots=True)
class ImportSummary:
    subjects_created: int
    subjects_updated: int
    subjects_unchanged: int
    groups_created: int
    groups_updated: int
    groups_unchanged: int
    units_created: int
    #: Existing units whose category differs from the file's; left as they were because
    #: units are shared with every survey, past years' included.
    units_with_other_category: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "subjects_created": self.subjects_created,
            "subjects_updated": self.subjects_updated,
            "subjects_unchanged": self.subjects_unchanged,
            "groups_created": self.groups_created,
            "groups_updated": self.groups_updated,
            "groups_unchanged": self.groups_unchanged,
            "units_created": self.units_created,
            "units_with_other_category": list(self.units_with_other_category),
        }


# ---- near-duplicate unit names --------------------------------------------------------------
# One unit typed two ways (市住房和城乡建设局 / 市住房城乡建设局) would become two units,
# splitting its results and its category's ranking. Names whose keys below are equal are
# flagged and the organizer decides, per name, to merge or to create: a flag costs a click,
# a silent merge of two real units would cost their results. See docs/rosters.md.

#: Connectives that official names use or drop (住房和城乡建设局 / 住房城乡建设局).
_CONNECTIVES = re.compile(r"[和与及暨、]")
#: Words often dropped from a unit's full name.
_DROPPABLE_WORDS = ("城乡",)
#: One leading level word: 市财政局 / 财政局 (区 likewise).
_LEVEL_PREFIXES = ("市", "区")
_SPACES_AND_PUNCTUATION = re.compile(r"[\s\W_]+")
#: The radio value meaning "create a new unit under the name as typed".
NEW_UNIT = "__new__"


def unit_name_key(name: str) -> str:
    """The name with its common variants removed: full-width forms folded (NFKC), spaces
    and punctuation, 和/与/及/暨/、, 城乡 and one leading 市 or 区 dropped."""
    text = _SPACES_AND_PUNCTUATION.sub("", unicodedata.normalize("NFKC", name))
    text = _CONNECTIVES.sub("", text)
    for word in _DROPPABLE_WORDS:
        text = text.replace(word, "")
    if text[:1] in _LEVEL_PREFIXES and len(text) > 2:
        text = text[1:]
    return text


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """A unit name of the file that is not a unit yet but looks like `candidates`:
    existing units, or an earlier spelling in the same file."""

    name: str
    candidates: tuple[str, ...]
    rows: tuple[int, ...]  # Excel rows of 评议对象 that name it


class UnitChoicesNeeded(DomainError):
    """Some unit names look like others: nothing is imported until each is decided."""

    def __init__(self, near_duplicates: list[NearDuplicate]):
        super().__init__(_("名册中有 %(n)d 个单位名称与已有单位相近，请逐个选择合并或新建", n=len(near_duplicates)))
        self.near_duplicates = near_duplicates


def find_near_duplicates(rows: tuple[SubjectRow, ...]) -> list[NearDuplicate]:
    """Flag the file's new unit names that match an existing unit, or an earlier name of the
    file, on `unit_name_key` but not exactly."""
    names: dict[str, list[int]] = {}
    for row in rows:
        if row.unit_name:
            names.setdefault(row.unit_name, []).append(row.row)
    existing = set(db.session.scalars(select(Unit.name)))
    by_key: dict[str, list[str]] = {}
    for name in sorted(existing):
        by_key.setdefault(unit_name_key(name), []).append(name)
    flagged = []
    for name, row_numbers in names.items():  # in file order: the first spelling is the candidate
        if name in existing:
            continue
        similar = by_key.setdefault(unit_name_key(name), [])
        if similar:
            flagged.append(NearDuplicate(name, tuple(similar), tuple(row_numbers)))
        similar.append(name)
    return flagged


def _apply_unit_choices(
    rows: tuple[SubjectRow, ...], choices: Mapping[str, str] | None
) -> tuple[tuple[SubjectRow, ...], dict[str, str]]:
    """Rename merged units' rows to the chosen unit; refuse until every flag is decided."""
    flagged = find_near_duplicates(rows)
    choices = choices or {}
    if any(choices.get(d.name) not in (NEW_UNIT, *d.candidates) for d in flagged):
        raise UnitChoicesNeeded(flagged)
    merged = {d.name: choices[d.name] for d in flagged if choices[d.name] != NEW_UNIT}
    # A merge into an earlier spelling that is itself merged follows it (a → b → c).
    for name, target in list(merged.items()):
        while target in merged:
            target = merged[target]
        merged[name] = target
    return tuple(replace(row, unit_name=merged.get(row.unit_name, row.unit_name)) for row in rows), merged


# ---- importing ----------------------------------------------------------------------------


def import_workbook(survey: Survey, data: bytes, actor: User, *, filename: str = "",
                    unit_choices: Mapping[str, str] | None = None) -> ImportSummary:
    """Read a roster workbook and import it into a draft survey (what the upload view does)."""
    _require_draft(survey)  # before reading: no point listing a file's mistakes in vain
    roster = parse_roster(data, known_subject_keys={s.key for s in survey.subjects})
    return import_roster(survey, roster, actor, filename=filename, unit_choices=unit_choices)


def import_roster(survey: Survey, roster: Roster, actor: User, *, filename: str = "",
                  unit_choices: Mapping[str, str] | None = None) -> ImportSummary:
    """Add or update the roster's subjects and groups (matched by key) in a draft survey.

    Subjects and groups missing from the roster are kept. Raises StructureLocked on a
    published survey, ValidationFailed on a group naming an unknown subject, and
    UnitChoicesNeeded while a near-duplicate unit name has no choice in `unit_choices`
    (name → NEW_UNIT or the unit to merge into), all before any change; the caller rolls
    back on any error, so an import is all or nothing.
    """
    _require_draft(survey)
    _check_references(survey, roster)
    subject_rows, merged_units = _apply_unit_choices(roster.subjects, unit_choices)
    units, units_created, other_category = _resolve_units(subject_rows)
    subjects_created, subjects_updated, subjects_unchanged = _upsert_subjects(survey, subject_rows, units)
    groups_created, groups_updated, groups_unchanged = _upsert_groups(survey, roster.groups)
    db.session.flush()
    summary = ImportSummary(
        subjects_created=subjects_created,
        subjects_updated=subjects_updated,
        subjects_unchanged=subjects_unchanged,
        groups_created=groups_created,
        groups_updated=groups_updated,
        groups_unchanged=groups_unchanged,
        units_created=units_created,
        units_with_other_category=tuple(other_category),
    )
    audit.record(actor, "roster.import", "survey", survey.id, filename=filename, merged_units=merged_units,
                 **summary.as_dict())
    return summary


def _require_draft(survey: Survey) -> None:
    if survey.is_structure_locked:
        raise StructureLocked(_("问卷已发布，结构已锁定，不能导入名册"))


def _check_references(survey: Survey, roster: Roster) -> None:
    # parse_roster checks this when given the survey's keys; a caller may not have.
    available = {s.key for s in survey.subjects} | {s.key for s in roster.subjects}
    problems = [
        _(
            "工作表“%(sheet)s”第 %(row)d 行（评议对象）：编号 %(keys)s 在名册和本问卷中都不存在",
            sheet=GROUP_SHEET,
            row=group.row,
            keys=quoted(sorted(set(group.subject_keys) - available)),
        )
        for group in roster.groups
        if group.subject_keys is not None and not set(group.subject_keys) <= available
    ]
    if problems:
        raise ValidationFailed(_("名册有误，未导入任何数据"), problems)


def _resolve_units(rows: tuple[SubjectRow, ...]) -> tuple[dict[str, Unit], int, list[str]]:
    """Get or create the roster's units; return them by name, how many were new, and the
    existing ones whose category differs from the file's (kept: other surveys use them)."""
    categories: dict[str, str] = {}
    for row in rows:
        if row.unit_name and not categories.get(row.unit_name):
            categories[row.unit_name] = row.unit_category
    existing = {u.name: u for u in db.session.scalars(select(Unit).where(Unit.name.in_(categories)))}
    other_category = [
        name
        for name, category in categories.items()
        if name in existing and category and existing[name].category not in ("", category)
    ]
    units = {name: surveys.get_or_create_unit(name, category) for name, category in categories.items()}
    return units, len(units) - len(existing), other_category


def _assign(entity: Any, values: Mapping[str, Any]) -> bool:
    """Set the values that differ; return whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(entity, name) != value:
            setattr(entity, name, value)
            changed = True
    return changed


def _upsert_subjects(
    survey: Survey, rows: tuple[SubjectRow, ...], units: Mapping[str, Unit]
) -> tuple[int, int, int]:
    """Add new keys after the existing subjects, update known ones; count each outcome."""
    by_key = {subject.key: subject for subject in survey.subjects}
    position = max((s.position for s in survey.subjects), default=-1) + 1
    created = updated = 0
    for row in rows:
        values = {
            "name": row.name,
            "kind": row.kind,
            "unit": units.get(row.unit_name),
            "position_title": row.position_title,
            "predecessor_key": row.predecessor_key,
        }
        subject = by_key.get(row.key)
        if subject is None:
            survey.subjects.append(Subject(key=row.key, position=position, **values))
            position += 1
            created += 1
        elif _assign(subject, values):
            updated += 1
    return created, updated, len(rows) - created - updated


def _upsert_groups(survey: Survey, rows: tuple[GroupRow, ...]) -> tuple[int, int, int]:
    subjects_by_key = {subject.key: subject for subject in survey.subjects}
    by_key = {group.key: group for group in survey.groups}
    position = max((g.position for g in survey.groups), default=-1) + 1
    created = updated = 0
    for row in rows:
        values = {
            "name": row.name,
            "weight": row.weight,
            "min_size": row.min_size,
            "expected_count": row.expected_count,
            "rates_all_subjects": row.subject_keys is None,
        }
        rated = [subjects_by_key[key] for key in row.subject_keys or ()]
        group = by_key.get(row.key)
        if group is None:
            survey.groups.append(
                RespondentGroup(key=row.key, position=position, rated_subjects=rated, **values)
            )
            position += 1
            created += 1
        elif _assign(group, values) | _assign_rated(group, rated):  # | : run both, not short-circuit
            updated += 1
    return created, updated, len(rows) - created - updated


def _assign_rated(group: RespondentGroup, rated: list[Subject]) -> bool:
    if {s.key for s in group.rated_subjects} == {s.key for s in rated}:
        return False
    group.rated_subjects = rated
    return True
