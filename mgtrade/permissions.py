"""The API's permission classes: Django's model permissions, with what a read needs.

Every viewset over a model uses one of these two (which rows a user sees is the app's
selectors' business: others' rows are 404, not 403).
"""

from rest_framework.permissions import DjangoModelPermissions

_VIEW = "%(app_label)s.view_%(model_name)s"


class ModelPermissions(DjangoModelPermissions):
    """Reads need the model's view permission (every sales role has it); writes and
    actions its add/change/delete permission (customers, quotes)."""

    perms_map = {**DjangoModelPermissions.perms_map, "GET": [_VIEW], "HEAD": [_VIEW]}


class ReadAnyWriteModelPerms(DjangoModelPermissions):
    """Any signed-in user reads; writes need the model's add/change/delete permission
    (the catalogue and the reference data)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": [],
        "OPTIONS": [],
        "HEAD": [],
    }
