import factory

from accounts.models import User

PASSWORD = "Rahasia-Klinik-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="id_ID")
    last_name = factory.Faker("last_name", locale="id_ID")
    role = User.Role.RECEPTIONIST
    password = factory.django.Password(PASSWORD)
