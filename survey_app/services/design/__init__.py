"""Survey design: a survey's settings and structure (surveys), survey definitions as
code, with their JSON schema and templates (definitions), and rosters imported from Excel
(rosters). A published survey's structure is locked here.

Imports only platform.
"""
