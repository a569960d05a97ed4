import factory
from django.contrib.auth.models import Group

from mgtrade.accounts.models import Role, User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A user in one role (``role=Role.SALES_MANAGER``; default sales rep), password PASSWORD."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@mgtrade.example")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        role = extracted or Role.SALES_REP
        self.is_staff = role == Role.ADMIN
        if create:
            self.save()
            self.groups.set([Group.objects.get(name=role)])
