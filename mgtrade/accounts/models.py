from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """Roles are groups; these are their names."""

    SALES_REP = "Sales rep", "Sales rep"
    SALES_MANAGER = "Sales manager", "Sales manager"
    ADMIN = "Admin", "Admin"
    QC = "QC", "Quality control"


class User(AbstractUser):
    """A person who signs in: a sales rep, a sales manager or an admin."""

    phone = models.CharField(max_length=40, blank=True)
    title = models.CharField(
        max_length=100, blank=True, help_text="Shown on quotes, e.g. Export sales manager."
    )

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def _group_names(self) -> set[str]:
        if not hasattr(self, "_cached_group_names"):
            self._cached_group_names = set(self.groups.values_list("name", flat=True))
        return self._cached_group_names

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or Role.ADMIN in self._group_names()

    @property
    def is_manager(self) -> bool:
        """Managers (and admins) see every customer and quote and approve discounts."""
        return self.is_admin or Role.SALES_MANAGER in self._group_names()

    @property
    def is_rep(self) -> bool:
        return Role.SALES_REP in self._group_names()

    @property
    def is_qc(self) -> bool:
        """Quality control enters lots and their analyses and signs certificates."""
        return Role.QC in self._group_names()

    @property
    def role_label(self) -> str:
        if self.is_admin:
            return "Admin"
        if self.is_manager:
            return "Sales manager"
        if self.is_qc:
            return "Quality control"
        return "Sales rep"
