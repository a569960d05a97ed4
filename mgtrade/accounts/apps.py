from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mgtrade.accounts"
    label = "accounts"
    verbose_name = "Users and roles"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the start-up checks)

        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="accounts.roles_sync")


OWN_APPS = {"accounts", "products", "customers", "quotes", "orders"}


def _sync_roles_after_migrate(sender, using="default", **kwargs) -> None:
    if sender.label in OWN_APPS:
        from .services import roles_sync

        roles_sync()
