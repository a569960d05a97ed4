from fnmatch import fnmatch

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Role, User
from .roles import ROLE_PERMISSIONS


@transaction.atomic
def roles_sync() -> None:
    """Create the role groups and give each exactly the permissions ROLE_PERMISSIONS names."""
    permissions = list(Permission.objects.select_related("content_type"))
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        patterns = ROLE_PERMISSIONS[role]
        wanted = [
            perm
            for perm in permissions
            if any(
                fnmatch(f"{perm.content_type.app_label}.{perm.codename}", pattern)
                for pattern in patterns
            )
        ]
        group.permissions.set(wanted)


def user_create(
    *,
    username: str,
    password: str,
    role: Role,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    title: str = "",
) -> User:
    """A user in one role; admins are staff so they can use the Django admin."""
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        title=title,
        is_staff=role == Role.ADMIN,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set([Group.objects.get(name=role.value)])
    return user
