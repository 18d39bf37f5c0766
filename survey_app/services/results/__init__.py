"""Results: what the ballots say and what happens to them. The analytics adapter
(reports: one aggregate query → analytics → view models and charts), respondents' words
(answers, answer_exports, redaction, followups), exports (Excel and PDF), data quality,
the archive checksum, and the survey lifecycle steps that seal and checksum ballots
(lifecycle).

Imports platform, design and respondents.
"""
