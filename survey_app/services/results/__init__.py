"""Results: what the ballots say and what happens to them. The analytics adapter
(reports: spec → analytics → view models, cached with its charts; ballot_columns: the
aggregate queries giving analytics its columns; report_models: the view models and the
functions that read them), respondents' words (answers, answer_exports, redaction,
followups), exports (exports: Excel, JSON, raw CSV; report_pdfs: the PDFs;
report_wording: the notes both share), data quality (quality), the archive checksum
(archive), the survey lifecycle steps that seal and checksum ballots (lifecycle), and a
cadre's result records across surveys and confirmed plans (cadre_records).

Imports platform, design and respondents.
"""
