from fnmatch import fnmatch

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from knox.models import AuthToken

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


# API tokens ---------------------------------------------------------------------------


def api_token_issue(*, user: User) -> tuple[AuthToken, str]:
    """A new API token for ``user``, ending after ``MGTRADE_API_TOKEN_TTL_DAYS``.

    Returns the stored row (its ``expiry``) and the token itself, which is shown once: only
    its hash is stored.
    """
    return AuthToken.objects.create(user=user)


def api_token_revoke(*, token: AuthToken) -> None:
    """End one token (the one a client signs out with)."""
    AuthToken.objects.filter(pk=token.pk).delete()


def api_tokens_revoke_all(*, user: User) -> int:
    """End every API token of ``user`` (logout everywhere, password change); returns how many."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
