import factory
from django.contrib.auth import get_user_model

from institutions.models import Institution, InstitutionKind, Membership, Municipality, Role

PASSWORD = "Drošs-testa-parole-2026"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Pašvaldība {n}")
    slug = factory.Sequence(lambda n: f"pasvaldiba-{n}")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"{n}. vidusskola")
    kind = InstitutionKind.GENERAL_SCHOOL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@pmp.example")
    username = factory.SelfAttribute("email")
    first_name = "Testa"
    last_name = factory.Sequence(lambda n: f"Persona {n}")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    role = Role.BOARD_EDITOR
    institution = None
