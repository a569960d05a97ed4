from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mgtrade.accounts"
    label = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from . import checks  # noqa: F401  (registers the start-up checks)

        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="accounts.roles_sync")
        post_save.connect(
            _revoke_tokens_after_password_change,
            sender=self.get_model("User"),
            dispatch_uid="accounts.revoke_tokens_on_password_change",
        )


OWN_APPS = {"accounts", "products", "customers", "quotes", "orders"}


def _sync_roles_after_migrate(sender, using="default", **kwargs) -> None:
    if sender.label in OWN_APPS:
        from .services import roles_sync

        roles_sync()


def _revoke_tokens_after_password_change(sender, instance, created=False, **kwargs) -> None:
    """A saved ``set_password`` (password page, admin, ``changepassword``) ends every API token.

    Django keeps the new raw password in ``_password`` until ``save()`` has run its
    ``password_changed`` hooks, so this sees password changes only (not a hash upgrade on
    sign-in, which clears it first).
    """
    if created or getattr(instance, "_password", None) is None:
        return
    from .services import api_tokens_revoke_all

    api_tokens_revoke_all(user=instance)
