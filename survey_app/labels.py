"""Display labels of the enums, in Chinese (msgids) and translatable through Babel."""

from flask_babel import lazy_gettext as _l

from survey_app.models.assessment import AdjustmentKind
from survey_app.models.base import (
    QuestionKind,
    Role,
    ScaleKind,
    SubjectKind,
    SurveyKind,
    SurveyStatus,
)
from survey_app.models.feedback import FollowupStatus
from survey_app.models.inspection import ProjectLevel, ProjectStatus, VisitMethod
from survey_app.models.register import RegisterSource, RegisterState
from survey_app.models.talk import TalkRelation

SURVEY_KIND = {
    SurveyKind.DEMOCRATIC: _l("民主测评"),
    SurveyKind.SERVICE_QUALITY: _l("服务质量评议"),
    SurveyKind.KEY_PROJECT: _l("重点项目评议"),
    SurveyKind.SPECIAL: _l("专项工作评议"),
    SurveyKind.PUBLIC: _l("公众评议"),
    SurveyKind.LEADER: _l("领导评价"),
}
SURVEY_STATUS = {
    SurveyStatus.DRAFT: _l("草稿"),
    SurveyStatus.PUBLISHED: _l("已发布"),
    SurveyStatus.CLOSED: _l("已结束"),
    SurveyStatus.ARCHIVED: _l("已归档"),
}
SUBJECT_KIND = {
    SubjectKind.CADRE: _l("干部"),
    SubjectKind.UNIT: _l("单位"),
    SubjectKind.TEAM: _l("领导班子"),
}
SCALE_KIND = {ScaleKind.OPTIONS: _l("选项"), ScaleKind.SCORE: _l("0–100 分")}
QUESTION_KIND = {
    QuestionKind.SINGLE_CHOICE: _l("单选"),
    QuestionKind.MULTIPLE_CHOICE: _l("多选"),
    QuestionKind.SHORT_TEXT: _l("简答"),
    QuestionKind.LONG_TEXT: _l("详答"),
    QuestionKind.NUMBER: _l("数字"),
}
FOLLOWUP_STATUS = {
    FollowupStatus.FORWARDED: _l("已转办"),
    FollowupStatus.REPLIED: _l("已答复"),
    FollowupStatus.RECTIFIED: _l("已整改"),
    FollowupStatus.DECLINED: _l("不予采纳"),
}
ROLE = {Role.ADMIN: _l("系统管理员"), Role.ORGANIZER: _l("组织人员"), Role.VIEWER: _l("查看人员"),
        Role.REPORTER: _l("单位填报员")}
PROJECT_LEVEL = {ProjectLevel.NATIONAL: _l("国家"), ProjectLevel.PROVINCIAL: _l("省"), ProjectLevel.CITY: _l("市")}
PROJECT_STATUS = {ProjectStatus.ACTIVE: _l("推进中"), ProjectStatus.SUSPENDED: _l("暂缓"),
                  ProjectStatus.COMPLETED: _l("已建成")}
REGISTER_SOURCE = {RegisterSource.PARTY_OFFICE: _l("市委督查室"), RegisterSource.GOVERNMENT_OFFICE: _l("市政府督查室"),
                   RegisterSource.EFFICIENCY_OFFICE: _l("效能办"), RegisterSource.COMMENDATION: _l("上级表彰"),
                   RegisterSource.OTHER: _l("其他")}
REGISTER_STATE = {RegisterState.RECORDED: _l("待审核"), RegisterState.APPROVED: _l("已审核"),
                  RegisterState.REJECTED: _l("未通过")}
ADJUSTMENT_KIND = {AdjustmentKind.BONUS: _l("正向激励"), AdjustmentKind.DEDUCTION: _l("效能督查")}
#: By stored value (Visit.methods is a JSON list of values), in the speech's order.
VISIT_METHOD = {VisitMethod.SITE_SURVEY.value: _l("实地勘察"), VisitMethod.TALKS.value: _l("谈话了解"),
                VisitMethod.SITTING_IN.value: _l("列席旁听"), VisitMethod.MILESTONE_CHECK.value: _l("节点对账"),
                VisitMethod.UNANNOUNCED.value: _l("明察暗访")}
#: Who the person talked to (个别谈话) is to the cadre.
TALK_RELATION = {TalkRelation.SUPERIOR: _l("上级"), TalkRelation.PEER: _l("同级"),
                 TalkRelation.SUBORDINATE: _l("下级"), TalkRelation.SERVED: _l("服务对象"),
                 TalkRelation.PRIVATE_LIFE: _l("生活圈")}
