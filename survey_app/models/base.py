"""Declarative base, constraint naming convention and the enums used by columns."""

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Role(enum.Enum):
    ADMIN = "admin"
    ORGANIZER = "organizer"
    VIEWER = "viewer"
    #: 单位填报员: bound to exactly one unit (its only scoped unit); fills that unit's
    #: targets, progress and self-assessment and nothing else (services/platform/permissions).
    REPORTER = "reporter"


class SurveyKind(enum.Enum):
    DEMOCRATIC = "democratic"  # 民主测评 / 360度评价
    SERVICE_QUALITY = "service_quality"  # 服务质量评议
    KEY_PROJECT = "key_project"  # 重点项目评议
    SPECIAL = "special"  # 专项工作评议 (述责述廉, 抓党建述职, 一报告两评议)
    PUBLIC = "public"  # 公众评议
    LEADER = "leader"  # 领导评价 (named, not anonymous)


class SurveyStatus(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CLOSED = "closed"
    ARCHIVED = "archived"


class SubjectKind(enum.Enum):
    CADRE = "cadre"  # 干部
    UNIT = "unit"  # 单位 / 部门
    TEAM = "team"  # 领导班子


class ScaleKind(enum.Enum):
    OPTIONS = "options"  # labelled options, each with a 0–100 score
    SCORE = "score"  # a number typed from 0 to 100


class QuestionKind(enum.Enum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"


class CodeStatus(enum.Enum):
    ISSUED = "issued"
    USED = "used"
    VOID = "void"
