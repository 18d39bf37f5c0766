"""目标责任体系 and 指标考评: indicator systems (考核细则) stored per year and unit category,
their JSON form (with a schema) and Excel table, import and export; and each unit's
negotiated targets under a published system: `negotiation` (the sheet's state machine,
申报 → 审核 → 确认 → 审定, every round recorded), `setting` (starting a round, its
deadlines, reminders, the dashboard, a unit's workspace), `history` (rounds and diffs).

The scoring itself is analytics.targets (pure); this package stores what it scores and
checks every tree with analytics' own ``validate_tree`` before anything is stored
(docs/targets.md). It imports only ``platform`` below it.

- `year_end` (a unit's 自评 on an approved sheet: values, evidence, hand-in, return),
  `verification` (现场核验), `progress` (quarterly progress), `level_counts` (a level-bonus
  leaf's counts per level, entered instead of a single value).
- `registers`: the registers of 正向激励 and 效能督查: items per unit and year, their
  evidence files and approval, lists and per-unit totals filtered by scope.

Scores (docs/targets.md, "Scores"): ``score_wording`` (each step of the arithmetic in
words), ``scores`` (a system's approved sheets scored by the engine, summed up the tree,
ranked; last year's figures; a scoped reader's rows), ``score_exports`` (JSON, .xlsx and the
chart of 得分率).
"""
