"""Survey design: what a survey asks, of whom, before anyone answers. A published survey's
structure is locked here.

Modules, lowest first (each imports only those above it in this list):
- surveys: a survey's settings, the structure lock and archive freeze every edit obeys,
  scale presets, units, publication checks and what a lifecycle step or removal does;
- structure: builder items (subjects, dimensions, scale options, groups, questions)
  added, edited, removed and reordered;
- subject_lists: subjects pasted as lines, and the bulk edit of chosen subjects;
- definition_checks: parsing and validating a survey definition (JSON Schema, through
  platform's json_documents, and the checks it cannot express), with messages in the
  user's language;
- definitions: survey definitions as code: export, import, cloning, shipped templates;
- roster_format: the roster workbook's sheets, columns, plain rows and empty template;
- roster_reading: reading and checking an organizer's roster workbook;
- rosters: importing a roster into a draft survey (near-duplicate units, upserts).

Imports only platform.
"""
