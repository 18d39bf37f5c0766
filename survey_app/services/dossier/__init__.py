"""The cadre dossier (干部档案): each cadre's evaluations, assessments and evidence lists
across years, its cross-checks, and its PDF (docs/dossier.md).

Imports platform, design, results and assessment.
"""
