"""一线考察 (inspection, issue #16): key projects (重点项目) with their units, linked cadres
and milestones, and their 序时进度 (projects, progress); visits (考察纪实) with a 蹲点's daily
log and photos (visits; their findings are dossier items, services/dossier/findings.py).
Talks, the pre-visit brief and the coverage calendar are not built yet (docs/inspection.md).

Imports platform only; it sits beside assessment, below dossier, which it will feed.
"""
