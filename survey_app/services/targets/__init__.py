"""目标责任体系 and 指标考评: indicator systems (考核细则) stored per year and unit category,
their JSON form (with a schema) and Excel table, import and export.

The scoring itself is analytics.targets (pure); this package stores what it scores and
checks every tree with analytics' own ``validate_tree`` before anything is stored
(docs/targets.md). It imports only ``platform`` below it.

Modules: ``methods``, ``checking``, ``json_format``, ``workbook``, ``systems`` (indicator
systems); ``year_end`` (a unit's 自评 on an approved sheet: values, evidence, hand-in,
return), ``verification`` (现场核验), ``progress`` (quarterly progress).
"""
