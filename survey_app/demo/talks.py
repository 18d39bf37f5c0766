"""Demo talks (个别谈话): two talks about 王建平 (FGW01), one by relation only, so the
administrator sees the list, a talk's page and the dossier's 个别谈话（2） button. Other
accounts see none of it (docs/inspection.md, "Talks")."""

from datetime import date

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Talk, User
from survey_app.services.inspection import talks

#: (held on, relation, person's name or "", place, summary)
DEMO_TALKS = (
    (date(2026, 11, 12), "subordinate", "", "市发展改革委会议室",
     "反映其对枢纽项目征迁工作亲自协调、敢于拍板，但对科室分工安排较为随意，个别同志工作量偏重。"),
    (date(2026, 11, 18), "served", "", "城东枢纽项目指挥部",
     "施工单位负责人认为其协调审批事项及时，征迁中遇到的用地问题一周内即得到答复。"),
)


def seed_talks(actor: User, today: date) -> int:
    """Record the demo talks once; return how many (none when any talk exists or 王建平
    has no record)."""
    if db.session.scalar(select(func.count()).select_from(Talk)) or talks.current_cadre("FGW01") is None:
        return 0
    for held_on, relation, person, place, summary in DEMO_TALKS:
        talks.add_talk({"subject_key": "FGW01", "held_on": held_on, "relation": relation, "person_name": person,
                        "place": place, "summary": summary}, actor, today, None)
    return len(DEMO_TALKS)
