import pytest
from django.core.management import CommandError, call_command

from institutions.models import Institution, Membership, Municipality, Role


@pytest.mark.django_db
def test_demo_data_creates_the_three_seed_municipalities_with_one_person_per_role(settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert set(Municipality.objects.values_list("slug", flat=True)) == {
        "smiltene",
        "daugavpils",
        "ogre",
    }
    smiltene = Municipality.objects.get(slug="smiltene")
    assert smiltene.name == "Smiltenes novada pašvaldība"
    assert Institution.objects.for_municipality(smiltene).count() == 45
    roles = set(
        Membership.objects.for_municipality(smiltene)
        .exclude(user__email="koordinators@pmp.example")
        .values_list("role", flat=True)
    )
    assert roles == set(Role.values)
    director = Membership.objects.get(user__email="direktors@smiltene.example")
    assert director.institution.name == "Smiltenes tehnikums"
    # Idempotent: a second run adds nothing.
    counts = (Institution.objects.count(), Membership.objects.count())
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Institution.objects.count(), Membership.objects.count()) == counts


@pytest.mark.django_db
def test_demo_data_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="izstrādes režīmā"):
        call_command("load_demo_data")
    assert not Municipality.objects.exists()
