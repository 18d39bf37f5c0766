"""Year-end assessment plans (年度考核 / 绩效考评). Organizers set up, import and decide;
viewers read and export what they can see.

Every page recomputes the plan (services.assessment.grading.compute_plan): nothing shown is
a stale stored composite. Bad input re-renders the page with a Chinese message, status 400
(422 for a refused file, 409 for a confirmed plan), and changes nothing.

The views live in modules by screen family (common.py holds what they share):
plan_pages (the list, a plan's page and its status steps), method_pages (categories,
components, subjects, pasted scores), subject_pages (one subject's page and its forms),
file_pages (the Excel import and the result exports), register_pages (bonus and deduction
items synced from the registers of 正向激励 and 效能督查).
"""

# `bp` lives in common.py, which every view module imports; importing the view modules
# here attaches their routes to it, so the package is the blueprint with all its pages.
from survey_app.blueprints.assessments import (  # noqa: F401
    file_pages,
    method_pages,
    plan_pages,
    register_pages,
    subject_pages,
)
from survey_app.blueprints.assessments.common import bp  # noqa: F401
