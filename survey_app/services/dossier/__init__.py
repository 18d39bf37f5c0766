"""The cadre dossier (干部档案): who a cadre is and who may see them (cadres), each
cadre's evaluations and assessments across years with the view log (dossiers), the
evidence lists (evidence), and the PDF (dossier_pdf); the pre-visit brief (进点前调阅) of a
cadre or a unit (brief), its generated questions (brief_questions) and its PDF (brief_pdf).
See docs/dossier.md and docs/inspection.md.

Imports platform, design, results, assessment and inspection.
"""
