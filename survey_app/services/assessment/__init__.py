"""The year-end assessment (年度考核): plans, their components and scores, grading under
quotas, the Excel import and the committee exports (docs/assessment.md).

Imports platform, design and results.
"""
