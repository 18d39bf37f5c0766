"""Audit entries as sentences: who did what to which object, and each change as old → new.

The audit log stores an action name ("question.add") and a JSON detail written by the
service that acted; staff read neither Python nor JSON. `describe` turns an entry into one
sentence per action (PHRASES, Chinese msgids translated through the catalog) and one line
per detail ("类型：干部 → 单位"), with enum names, booleans, empty values, before/after
pairs and per-subject maps written out. It reads only the entry: no query, no request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey_app import labels
from survey_app.models.assessment import AdjustmentKind, ComponentSource, PlanStatus, PlanSubjectKind
from survey_app.models.base import QuestionKind, Role, ScaleKind, SubjectKind, SurveyKind, SurveyStatus
from survey_app.models.dossier import EvidenceKind, EvidenceSource, VerificationStatus
from survey_app.models.feedback import FollowupStatus
from survey_app.models.inspection import ProjectLevel, ProjectStatus
from survey_app.models.register import RegisterSource, RegisterState
from survey_app.models.target import VerificationWay

#: One sentence per action; %(who)s is the user, the other names are detail keys (those are
#: then not repeated below the sentence) or %(target)s, the target's type and number.
PHRASES: dict[str, Any] = {
    "user.login": _l("%(who)s 登录"),
    "user.create": _l("%(who)s 创建了用户“%(username)s”"),
    "user.update": _l("%(who)s 修改了用户 %(target)s 的角色和权限"),
    "user.reset_password": _l("%(who)s 重置了用户 %(target)s 的密码"),
    "user.change_password": _l("%(who)s 修改了自己的密码"),
    "code_guessing_surge": _l("评议码猜测告警：全站输错的评议码超过 %(limit)s"),
    "followup.forward": _l("%(who)s 将一条意见转办给“%(unit)s”，办结时限 %(due_on)s"),
    "followup.reply": _l("%(who)s 记录了承办单位对%(target)s的答复"),
    "followup.rectify": _l("%(who)s 将%(target)s标记为已整改"),
    "followup.decline": _l("%(who)s 将%(target)s标记为不予采纳"),
    "followup.due": _l("%(who)s 将%(target)s的办结时限改为 %(due_on)s"),
    "text.mask": _l("%(who)s 遮盖了%(target)s中一条文字的部分内容"),
    "text.unmask": _l("%(who)s 撤销了%(target)s中一条文字的遮盖"),
    "api_token.create": _l("%(who)s 创建了接口令牌“%(name)s”"),
    "api_token.revoke": _l("%(who)s 吊销了接口令牌“%(name)s”"),
    "survey.create": _l("%(who)s 创建了评议活动“%(title)s”"),
    "survey.import": _l("%(who)s 导入问卷定义，创建了评议活动“%(title)s”"),
    "survey.clone": _l("%(who)s 复制评议活动，创建了“%(title)s”"),
    "survey.update": _l("%(who)s 修改了评议活动的设置"),
    "survey.delete": _l("%(who)s 删除了评议活动“%(title)s”"),
    "survey.publish": _l("%(who)s 发布了评议活动"),
    "survey.close": _l("%(who)s 结束了评议活动"),
    "survey.reopen": _l("%(who)s 重新开放了评议活动"),
    "survey.archive": _l("%(who)s 归档了评议活动"),
    "survey.archive_checksum": _l("%(who)s 记录了归档校验值"),
    "survey.verify_archive": _l("%(who)s 核验了归档校验值"),
    "subject.add": _l("%(who)s 添加了评议对象“%(subject)s”"),
    "subject.update": _l("%(who)s 修改了评议对象“%(subject)s”"),
    "subject.remove": _l("%(who)s 删除了一个评议对象"),
    "dimension.add": _l("%(who)s 添加了评价维度“%(dimension)s”"),
    "dimension.update": _l("%(who)s 修改了评价维度"),
    "dimension.remove": _l("%(who)s 删除了一个评价维度"),
    "scale.replace": _l("%(who)s 更换了评价量表"),
    "scale_option.add": _l("%(who)s 添加了量表选项“%(label)s”"),
    "scale_option.update": _l("%(who)s 修改了量表选项"),
    "scaleoption.remove": _l("%(who)s 删除了一个量表选项"),
    "group.add": _l("%(who)s 添加了评议主体“%(group)s”"),
    "group.update": _l("%(who)s 修改了评议主体“%(group)s”"),
    "respondentgroup.remove": _l("%(who)s 删除了一个评议主体"),
    "question.add": _l("%(who)s 添加了题目“%(prompt)s”"),
    "question.update": _l("%(who)s 修改了题目"),
    "question.remove": _l("%(who)s 删除了一道题目"),
    "item.move": _l("%(who)s 调整了%(item)s的顺序"),
    "roster.import": _l("%(who)s 导入了名单“%(filename)s”"),
    "codes.issue": _l("%(who)s 为评议主体“%(group)s”生成了 %(count)s 个评议码"),
    "codes.void_batch": _l("%(who)s 作废了第 %(batch)s 批评议码"),
    "codes.void_code": _l("%(who)s 作废了一个评议码"),
    "codes.open_link": _l("%(who)s 为评议主体“%(group)s”创建了开放链接"),
    "codes.open_link_active": _l("%(who)s 启用或停用了开放链接"),
    "codes.venue_add": _l("%(who)s 添加了现场测评会场网络“%(label)s”：%(network)s，%(window)s"),
    "codes.venue_remove": _l("%(who)s 删除了现场测评会场网络“%(label)s”：%(network)s，%(window)s"),
    "ballot.exclude": _l("%(who)s 将一份答卷排除出统计"),
    "ballot.include": _l("%(who)s 将一份答卷恢复计入统计"),
    "assessment.create": _l("%(who)s 创建了考核方案“%(title)s”"),
    "assessment.update": _l("%(who)s 修改了考核方案的设置"),
    "assessment.delete": _l("%(who)s 删除了考核方案“%(title)s”"),
    "assessment.propose": _l("%(who)s 提出了建议等次"),
    "assessment.withdraw": _l("%(who)s 撤回了建议等次"),
    "assessment.confirm": _l("%(who)s 确认了考核结果"),
    "assessment.decisions": _l("%(who)s 记录了最终等次"),
    "assessment.category_add": _l("%(who)s 添加了类别“%(category)s”"),
    "assessment.category_remove": _l("%(who)s 删除了类别“%(category)s”"),
    "assessment.component_add": _l("%(who)s 在类别“%(category)s”中添加了考核项目“%(component)s”"),
    "assessment.component_update": _l("%(who)s 修改了类别“%(category)s”的考核项目“%(component)s”"),
    "assessment.component_remove": _l("%(who)s 删除了类别“%(category)s”的考核项目“%(component)s”"),
    "assessment.subject_add": _l("%(who)s 添加了考核对象“%(name)s”"),
    "assessment.subject_remove": _l("%(who)s 删除了考核对象“%(name)s”"),
    "assessment.subjects_import": _l("%(who)s 从评议活动导入了 %(added)s 个考核对象"),
    "assessment.flags": _l("%(who)s 修改了考核对象 %(subject)s 的优先、提高比例或否决"),
    "assessment.score": _l("%(who)s 录入了考核对象 %(subject)s 的“%(component)s”得分"),
    "assessment.scores_bulk": _l("%(who)s 批量录入了“%(component)s”得分"),
    "assessment.scores_import": _l("%(who)s 从表格导入了“%(component)s”得分"),
    "assessment.adjustments_import": _l("%(who)s 从表格导入了加减分"),
    "assessment.bonus_add": _l("%(who)s 给考核对象 %(subject)s 加了 %(points)s 分"),
    "assessment.bonus_remove": _l("%(who)s 删除了考核对象 %(subject)s 的一项加分（%(points)s 分）"),
    "assessment.deduction_add": _l("%(who)s 扣了考核对象 %(subject)s %(points)s 分"),
    "assessment.deduction_remove": _l("%(who)s 删除了考核对象 %(subject)s 的一项扣分（%(points)s 分）"),
    "assessment.bonuses_bulk": _l("%(who)s 批量录入了加分"),
    "assessment.deductions_bulk": _l("%(who)s 批量录入了扣分"),
    "assessment.override": _l("%(who)s 将考核对象 %(subject)s 的等次调整为“%(grade)s”"),
    "assessment.override_clear": _l("%(who)s 撤销了考核对象 %(subject)s 的等次调整"),
    "dossier.view": _l("%(who)s 调阅了“%(name)s”的干部档案"),
    "dossier.evidence_add": _l("%(who)s 在“%(name)s”的档案中记下一条纪实"),
    "dossier.evidence_edit": _l("%(who)s 修改了“%(name)s”档案中的一条纪实"),
    "dossier.evidence_verify": _l("%(who)s 核实了“%(name)s”档案中的一条纪实"),
    "dossier.evidence_remove": _l("%(who)s 删除了“%(name)s”档案中的一条纪实"),
    "indicator_system.import": _l("%(who)s 导入了考核细则“%(title)s”（草稿）"),
    "indicator_system.publish": _l("%(who)s 发布了考核细则“%(title)s”"),
    "indicator_system.delete": _l("%(who)s 删除了考核细则草稿“%(title)s”"),
    "target_setting.start": _l("%(who)s 启动了考核细则“%(title)s”的目标申报"),
    "target_setting.deadlines": _l("%(who)s 修改了考核细则“%(title)s”的目标申报截止日期"),
    "target_sheet.save": _l("%(who)s 保存了%(target)s的目标值（未申报）"),
    "target_sheet.propose": _l("%(who)s 申报了%(target)s"),
    "target_sheet.answer": _l("%(who)s 答复了%(target)s的调整"),
    "target_sheet.return": _l("%(who)s 退回了%(target)s"),
    "target_sheet.adjust": _l("%(who)s 调整了%(target)s"),
    "target_sheet.accept": _l("%(who)s 同意了%(target)s"),
    "target_sheet.confirm": _l("%(who)s 确认了%(target)s"),
    "target_sheet.approve": _l("%(who)s 审定了%(target)s"),
    "target_sheet.reopen": _l("%(who)s 重新打开了%(target)s"),
    "project.create": _l("%(who)s 建立了重点项目“%(name)s”"),
    "project.update": _l("%(who)s 修改了重点项目“%(name)s”"),
    "milestone.add": _l("%(who)s 为重点项目“%(name)s”添加了节点“%(milestone)s”"),
    "milestone.update": _l("%(who)s 修改了重点项目“%(name)s”的节点“%(milestone)s”"),
    "talk.create": _l("%(who)s 记录了一次关于“%(name)s”的个别谈话"),
    "talk.update": _l("%(who)s 修改了一次关于“%(name)s”的个别谈话"),
    "talk.view": _l("%(who)s 查阅了一次关于“%(name)s”的个别谈话"),
    "brief.view": _l("%(who)s 调阅了“%(name)s”的进点前调阅材料"),
    "milestone.complete": _l("%(who)s 记录了重点项目“%(name)s”的节点“%(milestone)s”于 %(actual_on)s 完成"),
    "visit.create": _l("%(who)s 记录了考察“%(title)s”"),
    "visit.update": _l("%(who)s 修改了考察“%(title)s”"),
    "visit.day": _l("%(who)s 记录了考察“%(title)s” %(day)s 的纪实"),
    "visit.photos_add": _l("%(who)s 为考察“%(title)s”添加了 %(count)s 张照片"),
    "visit.photo_remove": _l("%(who)s 删除了考察“%(title)s”的一张照片"),
    "target_result.self_assess": _l("%(who)s 填报了指标 %(leaf)s 的年终自评（%(target)s）"),
    "target_result.remove_evidence": _l("%(who)s 删除了指标 %(leaf)s 的证明材料“%(filename)s”（%(target)s）"),
    "target_result.verify": _l("%(who)s 核验了指标 %(leaf)s（%(target)s）"),
    "target_progress.save": _l("%(who)s 填报了指标 %(leaf)s 第 %(quarter)s 季度的进度（%(target)s）"),
    "target_sheet.hand_in": _l("%(who)s 提交了年终自评（%(target)s）"),
    "target_sheet.return_self_assessment": _l("%(who)s 退回了年终自评（%(target)s）"),
    "target_sheet.close_verification": _l("%(who)s 结束了现场核验（%(target)s）"),
    "target_sheet.reopen_verification": _l("%(who)s 重新打开了现场核验（%(target)s）"),
    "register.record": _l("%(who)s 登记了%(unit)s的加减分事项“%(title)s”"),
    "register.update": _l("%(who)s 修改了加减分事项“%(title)s”"),
    "register.approve": _l("%(who)s 审核通过了%(unit)s的加减分事项“%(title)s”"),
    "register.reject": _l("%(who)s 退回了%(unit)s的加减分事项“%(title)s”"),
    "register.withdraw": _l("%(who)s 撤回了%(unit)s的加减分事项“%(title)s”的审核"),
    "register.attach": _l("%(who)s 为加减分事项“%(title)s”上传了证明材料"),
    "register.detach": _l("%(who)s 删除了加减分事项“%(title)s”的一份证明材料"),
    "assessment.register_sync": _l("%(who)s 从正向激励与效能督查登记簿同步了加减分（%(target)s）"),
}

#: What each detail key is called.
FIELDS: dict[str, Any] = {
    "title": _l("标题"), "status": _l("状态"), "subject": _l("对象"), "dimension": _l("维度"),
    "preset": _l("量表"), "unknown": _l("含“不了解”"), "with_unknown": _l("含“不了解”"), "label": _l("选项"),
    "group": _l("评议主体"), "prompt": _l("题目"), "item_id": _l("编号"), "item": _l("项目"), "name": _l("名称"),
    "year": _l("年度"), "subject_kind": _l("考核对象类型"), "grades": _l("最终等次"), "category": _l("类别"),
    "component": _l("考核项目"), "weight": _l("权重"), "source": _l("来源"), "survey_id": _l("评议活动编号"),
    "indicator_system_id": _l("考核细则编号"),
    "added": _l("新增"), "composite": _l("综合得分"), "proposal": _l("建议等次"), "self_score": _l("自评分"),
    "verified_score": _l("核验分"), "field": _l("录入项"), "points": _l("分值"), "reason": _l("理由"),
    "proposed": _l("建议等次"), "previous": _l("原调整等次"), "grade": _l("等次"), "ballot": _l("答卷编号"),
    "key": _l("编号"), "unit": _l("单位"), "format": _l("方式"), "sha256": _l("校验值"), "result": _l("结果"),
    "recorded": _l("记录的校验值"), "current": _l("当前校验值"), "inconsistent_ballots": _l("明细不一致的答卷"),
    "batch": _l("批次"), "count": _l("数量"), "voided": _l("作废数量"), "link": _l("开放链接编号"),
    "active": _l("启用"), "inspector": _l("考察组成员"), "held_on": _l("谈话日期"), "fields": _l("改动的项"), "filename": _l("文件"), "subjects": _l("评议对象数"), "groups": _l("评议主体数"),
    "questions": _l("题目数"), "template": _l("模板"), "source_id": _l("复制自评议活动"), "username": _l("用户名"),
    "role": _l("角色"), "units": _l("单位范围"), "items": _l("明细"), "document": _l("文件依据"), "kind": _l("类型"),
    "detail": _l("情况说明"), "occurred_on": _l("日期"), "due_on": _l("期限"), "attachments": _l("附件材料"),
    "verification_reset": _l("核实结论作废"), "changes": _l("修改"), "note": _l("核实情况"),
    "removed": _l("删除的纪实"), "description": _l("说明"), "instructions": _l("填写说明"),
    "opens_at": _l("开始时间"), "closes_at": _l("结束时间"), "expected_count": _l("应参评人数"),
    "position_title": _l("职务"), "unit_id": _l("单位编号"), "unit_name": _l("单位"), "unit_category": _l("单位类别"),
    "rated_subjects": _l("评议对象"), "rows": _l("行数"), "blank": _l("空行"),
    "subjects_created": _l("新增评议对象"), "subjects_updated": _l("更新评议对象"),
    "subjects_unchanged": _l("未变评议对象"), "groups_created": _l("新增评议主体"),
    "groups_updated": _l("更新评议主体"), "groups_unchanged": _l("未变评议主体"),
    "units_created": _l("新建单位"), "units_with_other_category": _l("类别不同的同名单位"),
    "changed": _l("修改"), "unchanged": _l("未变"), "bonuses": _l("加分项"), "deductions": _l("扣分项"),
    "is_priority": _l("优先"), "priority_reason": _l("优先理由"), "meets_raised_condition": _l("提高比例"),
    "raised_reason": _l("提高比例理由"), "is_vetoed": _l("否决"), "veto_reason": _l("否决理由"),
    "is_anonymous": _l("匿名"), "is_required": _l("必答"), "is_unknown": _l("不了解"), "is_active": _l("启用"),
    "bands": _l("等次分数线"), "bonus_cap": _l("加分上限"), "deduction_cap": _l("扣分上限"),
    "disagreement_gap": _l("分歧阈值"), "excellent_cap_percent": _l("优秀比例上限"),
    "excellent_label": _l("优秀等次名称"), "quota_percent": _l("优秀比例"),
    "raised_quota_percent": _l("提高后的优秀比例"), "min_size": _l("最少人数"), "score": _l("分数"),
    "show_if_question_id": _l("显示条件题目"), "show_if_values_text": _l("显示条件答案"),
    "options_text": _l("选项"), "predecessor_key": _l("前任编号"), "rates_all_subjects": _l("评议全部对象"),
    "scale": _l("量表"), "subject_comments": _l("对象意见"), "trim_extremes": _l("去掉极端值"),
    "veto_survey_id": _l("否决依据评议活动"), "display_name": _l("显示名称"), "position": _l("顺序"),
    "negative_share_threshold": _l("负面评价比例阈值"), "excellent_cap": _l("优秀比例上限"),
    "options": _l("选项"), "show_if_values": _l("显示条件答案"), "scale_kind": _l("量表类型"),
    "category_id": _l("类别"), "component_id": _l("考核项目"), "is_excluded": _l("排除"),
    "system_id": _l("考核细则编号"), "round": _l("轮次"), "state_before": _l("原状态"),
    "state_after": _l("新状态"), "comment": _l("意见"), "sheets": _l("新建目标表"),
    "proposal_due_on": _l("申报截止日期"), "confirmation_due_on": _l("确认截止日期"),
    "due_dates_before": _l("原截止日期"),
    "status_before": _l("原状态"), "due_before": _l("原期限"), "text": _l("文字类型"), "text_id": _l("文字编号"),
    "characters": _l("遮盖字数"), "limit": _l("告警阈值"), "merged_units": _l("合并的单位"),
    "level": _l("级别"), "project_status": _l("项目状态"), "starts_on": _l("开始日期"),
    "service_units": _l("服务部门"), "cadres": _l("挂钩干部"), "milestone": _l("节点"),
    "planned_on": _l("计划完成日期"), "actual_on": _l("实际完成日期"),
    "project": _l("重点项目"), "ends_on": _l("结束日期"), "hours": _l("时长"), "methods": _l("考察方式"),
    "announced": _l("事先通知"), "team": _l("考察组成员"), "summary": _l("考察情况"), "day": _l("日期"),
    "log": _l("纪实"), "caption": _l("照片说明"), "visit": _l("考察"), "visit_id": _l("考察编号"),
    "leaf": _l("指标"), "self_value": _l("实际完成值"), "self_note": _l("完成情况说明"), "files": _l("上传的文件"),
    "self_counts": _l("各级别数量"), "verified_counts": _l("核验的各级别数量"),
    "verified_value": _l("核验值"), "judged_score": _l("评定得分"), "verification_note": _l("核验说明"),
    "verified_on": _l("核验日期"), "verification_way": _l("核验方式"), "progress_value": _l("进度值"),
    "account": _l("进度说明"), "quarter": _l("季度"),
    "finding": _l("督查发现"), "state": _l("审核状态"), "approved_by": _l("原审核人"), "file": _l("文件"),
    "size": _l("大小（字节）"), "entry": _l("登记事项编号"), "updated": _l("更新"),
}

#: Enum members as stored: by value ("unit") or by str() of the member ("SubjectKind.UNIT").
_ENUM_LABELS: dict[type, Mapping[Any, Any]] = {
    SurveyKind: labels.SURVEY_KIND,
    SurveyStatus: labels.SURVEY_STATUS,
    SubjectKind: labels.SUBJECT_KIND,
    ScaleKind: labels.SCALE_KIND,
    QuestionKind: labels.QUESTION_KIND,
    Role: labels.ROLE,
    PlanStatus: {PlanStatus.DRAFT: _l("草稿"), PlanStatus.PROPOSED: _l("已提出建议等次"),
                 PlanStatus.CONFIRMED: _l("已确认")},
    PlanSubjectKind: {PlanSubjectKind.UNIT: _l("单位"), PlanSubjectKind.CADRE: _l("干部")},
    AdjustmentKind: {AdjustmentKind.BONUS: _l("加分"), AdjustmentKind.DEDUCTION: _l("扣分")},
    EvidenceKind: {EvidenceKind.TASK: _l("任务"), EvidenceKind.PROGRESS: _l("进度"),
                   EvidenceKind.PROBLEM: _l("问题"), EvidenceKind.ACHIEVEMENT: _l("成绩")},
    VerificationStatus: {VerificationStatus.PENDING: _l("待核实"), VerificationStatus.VERIFIED: _l("已核实"),
                         VerificationStatus.DISPUTED: _l("存疑"), VerificationStatus.REFUTED: _l("不属实")},
    FollowupStatus: labels.FOLLOWUP_STATUS,
    ProjectLevel: labels.PROJECT_LEVEL,
    ProjectStatus: labels.PROJECT_STATUS,
    VerificationWay: {VerificationWay.ON_SITE: _l("现场核验"), VerificationWay.DOCUMENTS: _l("材料审核"),
                      VerificationWay.DATA: _l("数据比对"), VerificationWay.INTERVIEW: _l("座谈走访")},
    ComponentSource: {ComponentSource.SURVEY: _l("评议结果"), ComponentSource.MANUAL: _l("录入得分"),
                      ComponentSource.TARGETS: _l("指标考评得分")},
    EvidenceSource: {EvidenceSource.SITE_VISIT: _l("实地查看"), EvidenceSource.INTERVIEW: _l("个别谈话"),
                     EvidenceSource.AUDIT: _l("审计"), EvidenceSource.INSPECTION: _l("督查反馈"),
                     EvidenceSource.PATROL: _l("巡视巡察反馈"), EvidenceSource.DOCUMENTS: _l("查阅资料"),
                     EvidenceSource.MEETING: _l("列席旁听"), EvidenceSource.UNANNOUNCED: _l("明察暗访"),
                     EvidenceSource.OTHER: _l("其他")},
    RegisterSource: labels.REGISTER_SOURCE,
    RegisterState: labels.REGISTER_STATE,
}
#: Which enum a plain stored value belongs to, by detail key (the values alone collide).
_ENUM_OF_KEY: dict[str, tuple[type, ...]] = {
    "status": (SurveyStatus, PlanStatus, VerificationStatus, FollowupStatus),
    "status_before": (FollowupStatus,),
    "kind": (SurveyKind, SubjectKind, QuestionKind, AdjustmentKind, EvidenceKind),
    "subject_kind": (PlanSubjectKind,),
    "role": (Role,),
    "source": (ComponentSource, EvidenceSource, RegisterSource),
    "state": (RegisterState,),
    "scale_kind": (ScaleKind,),
    "level": (ProjectLevel,),
    "project_status": (ProjectStatus,),
    "verification_way": (VerificationWay,),
}
_ITEM_NAMES = {"Subject": _l("评议对象"), "Dimension": _l("评价维度"), "ScaleOption": _l("量表选项"),
               "RespondentGroup": _l("评议主体"), "Question": _l("题目")}
_VALUE_WORDS = {"format": {"page": _l("查看页面"), "pdf": _l("下载 PDF"), "evidence": _l("打开纪实修改页"),
                           "edit": _l("打开修改页"), "brief": _l("进点前调阅页面"), "brief_pdf": _l("进点前调阅 PDF")},
                "result": {"match": _l("一致"), "mismatch": _l("不一致")},
                "fields": {"subject_key": _l("干部编号"), "held_on": _l("谈话日期"), "relation": _l("关系"),
                           "person_name": _l("谈话对象姓名"), "place": _l("地点"), "summary": _l("谈话要点"),
                           "visit_id": _l("考察记录")},
                "field": {"self_score": _l("自评分"), "verified_score": _l("核验分")},
                "text": {"comment": _l("对象意见"), "answer": _l("题目回答")}}
#: A target sheet's states (models/target.SheetState), as the negotiation records them.
_SHEET_STATES = {"draft": _l("填报中"), "proposed": _l("已申报"), "returned": _l("已退回"), "adjusted": _l("已调整"),
                 "confirmed": _l("已确认"), "approved": _l("已审定")}
_VALUE_WORDS.update(state_before=_SHEET_STATES, state_after=_SHEET_STATES)
_TARGETS = {"survey": _l("评议活动"), "user": _l("用户"), "api_token": _l("接口令牌"),
            "assessment": _l("考核方案"), "dossier": _l("干部档案"), "evidence": _l("纪实"),
            "followup": _l("转办事项"), "survey_text": _l("评议活动"),
            "key_project": _l("重点项目"), "visit": _l("考察纪实"), "talk": _l("个别谈话"),
            "target_sheet": _l("单位目标表"), "register_entry": _l("加减分事项")}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_ENUM_NAME = re.compile(r"^([A-Z][A-Za-z]+)\.([A-Z_]+)$")


@dataclass(frozen=True)
class AuditText:
    """An entry for reading: one sentence and one line per remaining detail."""

    sentence: str
    details: tuple[str, ...]


def describe(entry: Any) -> AuditText:
    """Return the audit entry as a sentence (who did what to which object) and detail lines."""
    detail = dict(entry.detail or {})
    phrase = PHRASES.get(entry.action)
    target = f"{_TARGETS.get(entry.target_type, entry.target_type)} #{entry.target_id}" if entry.target_id else ""
    if phrase is None:  # an action recorded by code newer than this table
        sentence = _("%(who)s 执行了操作 %(action)s", who=entry.username, action=entry.action)
        used: set[str] = set()
    else:
        used = set(_PLACEHOLDER.findall(str(phrase))) - {"who", "target"}
        values = {key: _short(key, detail.get(key)) for key in used}
        sentence = str(phrase) % {"who": entry.username, "target": target, **values}
    if entry.action == "item.move":
        detail.pop("item_id", None)
    lines = tuple(_line(key, value) for key, value in detail.items() if key not in used)
    return AuditText(sentence=sentence, details=lines)


def _short(key: str, value: Any) -> str:
    if key == "item":
        return str(_ITEM_NAMES.get(value, _("项目")))
    return value_text(key, value)


def _line(key: str, value: Any) -> str:
    label = FIELDS.get(key, key)
    if key == "changes" and isinstance(value, Mapping):
        return "；".join(f"{FIELDS.get(field, field)}：{_change_text(field, change)}" for field, change in value.items())
    return _("%(label)s：%(value)s", label=label, value=value_text(key, value))


def _change_text(field: str, change: Any) -> str:
    """A change stored as [before, after] reads old → new, whatever the field."""
    if isinstance(change, list | tuple) and len(change) == 2:
        return f"{value_text(field, change[0])} → {value_text(field, change[1])}"
    return value_text(field, change)


def value_text(key: str, value: Any) -> str:
    """Write one stored detail value for reading: no Python repr, no enum name, no JSON."""
    if value is None or value == "":
        return _("（空）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return _sequence_text(key, value)
    if isinstance(value, Mapping):
        # Keyed by a subject's key (ZRZY05) in grades, composite and proposal.
        return "；".join(f"{k}：{value_text(key, v)}" for k, v in value.items()) or _("（空）")
    return _word(key, str(value))


def _sequence_text(key: str, values: list | tuple) -> str:
    # The services store a change as [before, after]: composite, proposal, scores, status.
    if key in ("composite", "proposal", "self_score", "verified_score", "status", "changes") and len(values) == 2:
        return f"{value_text(key, values[0])} → {value_text(key, values[1])}"
    if not values:
        return _("（空）")
    if all(isinstance(v, Mapping) for v in values):
        return "；".join(_item_text(v) for v in values)
    return "、".join(value_text(key, v) for v in values)


def _item_text(item: Mapping) -> str:
    return "，".join(f"{FIELDS.get(k, k)} {value_text(k, v)}" for k, v in item.items() if v not in (None, ""))


def _word(key: str, text: str) -> str:
    """An enum by its stored form, or a known word; any other text as it is."""
    words = _VALUE_WORDS.get(key, {})
    if text in words:
        return str(words[text])
    named = _ENUM_NAME.match(text)
    if named:
        for enum, names in _ENUM_LABELS.items():
            if enum.__name__ == named.group(1) and named.group(2) in enum.__members__:
                return str(names.get(enum[named.group(2)], enum[named.group(2)].value))
    for enum in _ENUM_OF_KEY.get(key, ()):
        member = next((m for m in enum if m.value == text), None)
        if member is not None:
            return str(_ENUM_LABELS[enum][member])
    return text
