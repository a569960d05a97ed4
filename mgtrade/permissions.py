from rest_framework.permissions import DjangoModelPermissions


class ReadAnyWriteModelPerms(DjangoModelPermissions):
    """Any signed-in user reads; writes need the model's add/change/delete permission."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": [],
        "OPTIONS": [],
        "HEAD": [],
    }
