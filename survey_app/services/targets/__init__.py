"""目标责任体系 and 指标考评: indicator systems (考核细则) stored per year and unit category,
their JSON form (with a schema) and Excel table, import and export.

The scoring itself is analytics.targets (pure); this package stores what it scores and
checks every tree with analytics' own ``validate_tree`` before anything is stored
(docs/targets.md). It imports only ``platform`` below it.

Scores (docs/targets.md, "Scores"): ``score_wording`` (each step of the arithmetic in
words), ``scores`` (a system's approved sheets scored by the engine, summed up the tree,
ranked; last year's figures; a scoped reader's rows), ``score_exports`` (JSON, .xlsx and the
chart of 得分率).
"""
