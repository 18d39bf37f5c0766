"""一线考察 (inspection, issue #16): key projects (重点项目) with their units, linked cadres
and milestones, and their 序时进度 (projects, progress); the coverage rule on the recorded
visits, with the overdue lists (coverage), and its 考察台账 xlsx (ledger). Recording
visits, talks and the pre-visit brief are described in docs/inspection.md.

Imports platform and results; it sits beside assessment, below dossier, which it feeds.
"""
