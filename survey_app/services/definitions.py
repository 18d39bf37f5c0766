"""PLACEHOLDER so the app imports while the survey-as-code service is being written.
(The engineer building survey-as-code replaces this whole file.)"""


def list_templates():
    return []


def export_definition(survey):
    raise NotImplementedError


def import_definition(data, actor):
    raise NotImplementedError


def clone_survey(survey, actor, *, year=None, title=None):
    raise NotImplementedError


def create_from_template(key, overrides, actor):
    raise NotImplementedError
