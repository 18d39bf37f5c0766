"""The cadre dossier (干部档案): who a cadre is and who may see them (cadres), each
cadre's evaluations and assessments across years with the view log (dossiers), the
evidence lists (evidence), a visit's findings filed as evidence (findings), the 一线考察
section with its 相互印证 of visit findings against evaluations (fieldwork), the 进度清单's
rows of the unit's quarterly target progress and who leads a unit (unit_progress), and the
PDF (dossier_pdf, fieldwork_pdf); the pre-visit brief (进点前调阅) of a cadre or a unit (brief),
its generated questions (brief_questions) and its PDF (brief_pdf). See docs/dossier.md
and docs/inspection.md.

Imports platform, design, results, targets, assessment and inspection.
"""
