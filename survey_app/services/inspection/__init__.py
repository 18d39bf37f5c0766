"""一线考察 (inspection, issue #16): key projects (重点项目) with their units, linked cadres
and milestones, and their 序时进度 (projects, progress); visits (考察纪实) with a 蹲点's daily
log and photos (visits; their findings are dossier items, services/dossier/findings.py);
the coverage rule on the recorded visits, with the overdue lists (coverage), and its
考察台账 xlsx (ledger); confidential talks (个别谈话) about cadres, with their view log
(talks). See docs/inspection.md.

Imports platform and results (who is a cadre); it sits beside assessment, below dossier,
which it feeds (the brief imports it).
"""
