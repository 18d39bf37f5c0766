"""Visits (考察纪实): recording a visit or a 蹲点 stay, its daily log and its photos. Every
change is checked first (each problem as a Chinese message, nothing stored on any) and
written to the audit log. Findings are dossier items and are added by
`services/dossier/findings.py` (the dossier sits above this package).

A visit belongs to its units: a scoped organizer records visits only for their units and
names only cadres serving in them. Dates are local dates; `today` is the city's date
(`progress.local_today`), passed in.
"""

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from survey_app.errors import NotFound, ValidationFailed
from survey_app.extensions import db
from survey_app.models import EvidenceItem, FilePurpose, StoredFile, Unit, User
from survey_app.models.inspection import (
    KeyProject,
    Visit,
    VisitCadre,
    VisitDay,
    VisitMethod,
    VisitPhoto,
    visit_units,
)
from survey_app.services.inspection.projects import EARLIEST, _keys, _unit_ids
from survey_app.services.platform import audit, evidence_files
from survey_app.services.platform.confirmation import require_confirmation
from survey_app.services.platform.plain_values import has_control_characters
from survey_app.services.results import cadre_records

#: Audit target type of every change to a visit (days and photos included).
VISIT_TARGET = "visit"
TITLE_MAX, TEAM_MAX, TEXT_MAX, CAPTION_MAX = 200, 300, 5000, 200
CADRES_MAX, PHOTOS_MAX, STAY_DAYS_MAX = 50, 30, 90


# ---- checks -----------------------------------------------------------------------------------


def _text(problems: list[str], value: Any, label: str, limit: int) -> str:
    text = str(value or "").strip()
    if len(text) > limit:
        problems.append(_("%(field)s不能超过 %(n)d 个字", field=label, n=limit))
    if has_control_characters(text):
        problems.append(_("文字中含有不可见的控制字符"))
    return text


def _methods(problems: list[str], value: Any) -> list[str]:
    chosen = list(dict.fromkeys(str(v.value if isinstance(v, VisitMethod) else v) for v in value or ()))
    known = {method.value for method in VisitMethod}
    unknown = [m for m in chosen if m not in known]
    if not chosen:
        problems.append(_("请至少选择一种考察方式"))
    elif unknown:
        problems.append(_("未知的考察方式：%(methods)s", methods="、".join(unknown)))
    return [method.value for method in VisitMethod if method.value in chosen]  # in the speech's order


def _units(problems: list[str], unit_ids: list[int], scope: Collection[int] | None) -> list[Unit]:
    units = list(db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))) if unit_ids else []
    if not unit_ids:
        problems.append(_("请至少选择一个被考察单位"))
    elif len(units) != len(set(unit_ids)):
        problems.append(_("所选单位不存在"))
    elif scope is not None and not set(unit_ids) <= set(scope):
        problems.append(_("只能记录本单位的考察"))
    return units


def cadre_units(keys: Iterable[str]) -> dict[str, int | None]:
    """The unit each key's cadre serves in now (their latest record); keys of no cadre are absent."""
    latest: dict[str, cadre_records.CadreRecord] = {}
    wanted = [key for key in keys if key]
    for record in cadre_records.survey_records(wanted) + cadre_records.plan_records(wanted) if wanted else []:
        if record.key not in latest or record.order > latest[record.key].order:
            latest[record.key] = record
    return {key: record.unit_id for key, record in latest.items()}


def _cadres(problems: list[str], keys: list[str], scope: Collection[int] | None) -> None:
    if len(keys) > CADRES_MAX:
        problems.append(_("涉及干部最多 %(n)d 人", n=CADRES_MAX))
        return
    units = cadre_units(keys)
    unknown = [key for key in keys if key not in units]
    if unknown:
        problems.append(_("这些编号不是干部：%(keys)s", keys="、".join(unknown)))
    outside = [key for key in keys if key in units and scope is not None and units[key] not in scope]
    if outside:
        problems.append(_("只能选择本单位的干部：%(keys)s", keys="、".join(outside)))


def _project(problems: list[str], value: Any, scope: Collection[int] | None) -> KeyProject | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        project = db.session.get(KeyProject, int(value))
    except (TypeError, ValueError):
        project = None
    if project is None or (scope is not None and not {u.id for u in project.units} & set(scope)):
        problems.append(_("所选重点项目不存在"))
        return None
    return project


def _dates(problems: list[str], data: Mapping[str, Any], project: KeyProject | None, today: date) -> tuple:
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on") or None
    if not isinstance(starts_on, date):
        problems.append(_("请填写考察日期"))
        return None, None
    if starts_on > today:
        problems.append(_("考察日期不能晚于今天（%(day)s）", day=today.isoformat()))
    elif starts_on < EARLIEST:
        problems.append(_("考察日期不能早于 2000 年"))
    elif project is not None and starts_on < project.starts_on:
        problems.append(_("考察日期不能早于重点项目开始日期（%(day)s）", day=project.starts_on.isoformat()))
    if ends_on is None:
        return starts_on, starts_on
    if not isinstance(ends_on, date):
        problems.append(_("结束日期不是有效日期"))
    elif ends_on < starts_on:
        problems.append(_("结束日期不能早于开始日期"))
    elif ends_on - starts_on >= timedelta(days=STAY_DAYS_MAX):
        problems.append(_("一次蹲点最长 %(n)d 天", n=STAY_DAYS_MAX))
    return starts_on, ends_on


def _hours(problems: list[str], value: Any, is_stay: bool) -> float | None:
    if value is None or value == "":
        return None
    if is_stay:
        problems.append(_("蹲点调研按天记录，不填时长"))
        return None
    try:
        hours = float(value)
    except (TypeError, ValueError):
        hours = float("nan")
    if not 0 < hours <= 24:  # NaN fails too
        problems.append(_("时长应大于 0 小时，不超过 24 小时"))
    return hours


def clean_visit(data: Mapping[str, Any], scope: Collection[int] | None, today: date,
                visit: Visit | None = None) -> dict[str, Any]:
    """Check a visit's fields; return them clean or raise ValidationFailed listing every
    problem. `scope` is the acting user's units (None: city-wide)."""
    problems: list[str] = []
    project = _project(problems, data.get("project_id"), scope)
    starts_on, ends_on = _dates(problems, data, project, today)
    is_stay = bool(starts_on and ends_on and isinstance(ends_on, date) and ends_on > starts_on)
    hours = _hours(problems, data.get("hours"), is_stay)
    methods = _methods(problems, data.get("methods"))
    units = _units(problems, _unit_ids(data.get("unit_ids")), scope)
    keys = _keys(data.get("cadre_keys"))
    _cadres(problems, keys, scope)
    title = _text(problems, data.get("title"), _("标题"), TITLE_MAX)
    team = _text(problems, data.get("team"), _("考察组成员"), TEAM_MAX)
    summary = _text(problems, data.get("summary"), _("考察情况"), TEXT_MAX)
    if visit is not None:
        _check_against_records(problems, visit, starts_on, ends_on, keys)
    if problems:
        raise ValidationFailed(problems[0], problems)
    # 明察暗访 is unannounced by definition: the switch need not be touched.
    announced = bool(data.get("announced")) and VisitMethod.UNANNOUNCED.value not in methods
    if not title:
        title = _("%(unit)s一线考察", unit="、".join(unit.name for unit in units[:3]))
    return {"title": title, "project": project, "starts_on": starts_on, "ends_on": ends_on, "hours": hours,
            "methods": methods, "announced": announced, "team": team, "summary": summary, "units": units,
            "cadre_keys": keys}


def _check_against_records(problems: list[str], visit: Visit, starts_on: Any, ends_on: Any,
                           keys: list[str]) -> None:
    """An edit keeps the day logs within the stay and the cadres its findings are about."""
    if isinstance(starts_on, date) and isinstance(ends_on, date):
        outside = [day.day.isoformat() for day in visit.days if not starts_on <= day.day <= ends_on]
        if outside:
            problems.append(_("已有 %(days)s 的纪实日志，考察日期须包含这些日期", days="、".join(outside)))
    found = set(db.session.scalars(select(EvidenceItem.subject_key).where(EvidenceItem.visit_id == visit.id)))
    dropped = sorted(found - set(keys))
    if dropped:
        problems.append(_("已有关于这些干部的考察发现，不能从涉及干部中移除：%(keys)s", keys="、".join(dropped)))


# ---- visits -----------------------------------------------------------------------------------


def _snapshot(visit: Visit) -> dict[str, Any]:
    return {"title": visit.title, "project": visit.project.name if visit.project else None,
            "starts_on": visit.starts_on.isoformat(), "ends_on": visit.ends_on.isoformat(), "hours": visit.hours,
            "methods": list(visit.methods), "announced": visit.announced, "team": visit.team,
            "summary": visit.summary, "units": [unit.name for unit in visit.units],
            "cadres": [cadre.subject_key for cadre in visit.cadres]}


def _apply(visit: Visit, clean: Mapping[str, Any]) -> None:
    for field in ("title", "project", "starts_on", "ends_on", "hours", "methods", "announced", "team", "summary",
                  "units"):
        setattr(visit, field, clean[field])
    kept = {cadre.subject_key: cadre for cadre in visit.cadres}
    visit.cadres = [kept.get(key) or VisitCadre(subject_key=key) for key in clean["cadre_keys"]]


def record_visit(data: Mapping[str, Any], actor: User, scope: Collection[int] | None, today: date) -> Visit:
    """Record a visit (or a 蹲点 stay) with its units, cadres and methods."""
    clean = clean_visit(data, scope, today)
    visit = Visit(recorded_by_id=actor.id)
    _apply(visit, clean)
    db.session.add(visit)
    db.session.flush()
    audit.record(actor, "visit.create", VISIT_TARGET, visit.id, **_snapshot(visit))
    return visit


def update_visit(visit: Visit, data: Mapping[str, Any], actor: User, scope: Collection[int] | None,
                 today: date) -> bool:
    """Change a visit's fields; return whether anything changed."""
    clean = clean_visit(data, scope, today, visit)
    before = _snapshot(visit)
    _apply(visit, clean)
    db.session.flush()
    after = _snapshot(visit)
    changes = {field: [before[field], after[field]] for field in before if before[field] != after[field]}
    if changes:
        audit.record(actor, "visit.update", VISIT_TARGET, visit.id, title=visit.title, changes=changes)
    return bool(changes)


def list_visits(scope: Collection[int] | None, month: tuple[int, int] | None = None,
                unit_id: int | None = None) -> list[Visit]:
    """Visits touching `month` (year, month), of `unit_id`, within the scope, latest first."""
    query = select(Visit).options(selectinload(Visit.units), selectinload(Visit.cadres), selectinload(Visit.photos))
    if scope is not None:
        query = query.where(Visit.id.in_(select(visit_units.c.visit_id).where(visit_units.c.unit_id.in_(scope))))
    if unit_id is not None:
        query = query.where(Visit.id.in_(select(visit_units.c.visit_id).where(visit_units.c.unit_id == unit_id)))
    if month is not None:
        first = date(month[0], month[1], 1)
        after = date(month[0] + month[1] // 12, month[1] % 12 + 1, 1)
        query = query.where(Visit.starts_on < after, Visit.ends_on >= first)
    return list(db.session.scalars(query.order_by(Visit.starts_on.desc(), Visit.id.desc())))


def finding_counts(visit_ids: Collection[int]) -> dict[int, int]:
    """How many findings (dossier items) each visit has."""
    if not visit_ids:
        return {}
    query = (select(EvidenceItem.visit_id, func.count()).where(EvidenceItem.visit_id.in_(visit_ids))
             .group_by(EvidenceItem.visit_id))
    return dict(db.session.execute(query).all())


# ---- the daily log of a 蹲点 ----------------------------------------------------------------------


def save_day(visit: Visit, day: Any, log: Any, actor: User, today: date) -> VisitDay:
    """Write (or rewrite) one day's log: a day of the stay, not after today."""
    problems: list[str] = []
    text = _text(problems, log, _("当天纪实"), TEXT_MAX)
    if not isinstance(day, date):
        problems.append(_("请填写日期"))
    elif not visit.starts_on <= day <= visit.ends_on:
        problems.append(_("日期不在本次考察的日期之内（%(first)s 至 %(last)s）", first=visit.starts_on.isoformat(),
                          last=visit.ends_on.isoformat()))
    elif day > today:
        problems.append(_("不能记录今天（%(day)s）以后的纪实", day=today.isoformat()))
    if not text:
        problems.append(_("请填写当天的纪实"))
    if problems:
        raise ValidationFailed(problems[0], problems)
    entry = next((d for d in visit.days if d.day == day), None)
    previous = entry.log if entry else None
    if entry is None:
        entry = VisitDay(day=day, log=text)
        visit.days.append(entry)
    entry.log = text
    db.session.flush()
    audit.record(actor, "visit.day", VISIT_TARGET, visit.id, title=visit.title, day=day.isoformat(), log=text,
                 previous=previous)
    return entry


# ---- photos -----------------------------------------------------------------------------------


def add_photos(visit: Visit, files: list[tuple[bytes, str]], caption: Any, actor: User,
               now: datetime) -> list[VisitPhoto]:
    """Attach photos (bytes, file name): every file is checked before any is stored, so one
    refused file stores none."""
    problems: list[str] = []
    caption = _text(problems, caption, _("照片说明"), CAPTION_MAX)
    files = [(data, name) for data, name in files if data or name]
    if not files:
        problems.append(_("请选择照片"))
    elif len(visit.photos) + len(files) > PHOTOS_MAX:
        problems.append(_("每次考察最多 %(n)d 张照片", n=PHOTOS_MAX))
    for data, name in files:
        try:
            evidence_files.check_upload(data, FilePurpose.PHOTO)
        except ValidationFailed as error:
            problems.append(f"{name or _('照片')}：{error.message}")
    if problems:
        raise ValidationFailed(problems[0], problems)
    photos = []
    for data, name in files:
        stored = evidence_files.store_upload(data, name, FilePurpose.PHOTO, actor, now)
        photo = VisitPhoto(file_id=stored.id, caption=caption)
        visit.photos.append(photo)
        photos.append(photo)
    db.session.flush()
    audit.record(actor, "visit.photos_add", VISIT_TARGET, visit.id, title=visit.title, count=len(photos),
                 filename=[stored_name(photo) for photo in photos])
    return photos


def stored_name(photo: VisitPhoto) -> str:
    stored = db.session.get(StoredFile, photo.file_id)
    return stored.original_name if stored else ""


def get_photo(visit: Visit, photo_id: int) -> VisitPhoto:
    """One of the visit's photos; NotFound for another visit's."""
    photo = db.session.get(VisitPhoto, photo_id)
    if photo is None or photo.visit_id != visit.id:
        raise NotFound(_("没有找到该照片"))
    return photo


def remove_photo(photo: VisitPhoto, actor: User, *, confirmed: bool = True) -> None:
    """Take a photo off the visit (the stored file stays in the file store)."""
    require_confirmation(confirmed)
    visit = photo.visit
    audit.record(actor, "visit.photo_remove", VISIT_TARGET, visit.id, title=visit.title,
                 filename=stored_name(photo), caption=photo.caption)
    visit.photos.remove(photo)
    db.session.flush()
