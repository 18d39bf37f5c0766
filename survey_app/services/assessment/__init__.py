"""The year-end assessment (年度考核): plans, their components and scores, grading under
quotas, the Excel import and the committee exports (docs/assessment.md).

Modules, lowest first (each imports only those above it):
- `plan_view`: the read model of a computed plan (PlanView … PartView) and its number formats;
- `editing`: what a plan allows now (the confirmed / proposed guards), the audit target;
- `plans`: setting up a draft plan: rules, categories, components, subjects;
- `target_link`: components scored from a 考核细则 (source TARGETS: the units' final 指标考评
  totals rescaled to 0–100) and their per-indicator breakdowns (imports `targets`);
- `grading`: composites, ranks and proposed grades under the quotas (`compute_plan`), then
  propose, override and confirm;
- `scoring`: entering scores, bonus and deduction items and flags, logged with the
  composites before and after;
- `register_sync`: a unit plan's bonus and deduction items brought from the registers of
  正向激励 and 效能督查 (services/targets/registers), with a preview of what changes;
- `demo_plan`: the demo's 绩效考评;
- `file_format`: the workbooks' sheet and column names, file names, sheet-writing helpers;
- `import_templates`: the score and bonus/deduction workbooks to fill in;
- `sheet_reading`: reading an uploaded workbook cell by cell, every problem located;
- `plan_import`: importing those workbooks, all or nothing;
- `committee_wording`: the wording the committee exports share;
- `committee_workbook`, `committee_pdf`: the result tables a committee signs (.xlsx, PDF).

A name with a leading underscore is private to its module; what the modules share has a
public name (clean_text, write_titled_sheet, …), even when only this package uses it.

Imports platform, design, results and targets (the registers).
"""
