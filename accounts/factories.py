import factory

from accounts.models import Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    role = Role.USER
    password = factory.django.Password("correct-horse-battery")


class GuestFactory(UserFactory):
    username = factory.Sequence(lambda n: f"guest-{n:012d}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@guest.certquiz.invalid")
    role = Role.GUEST
