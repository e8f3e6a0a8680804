"""Each page costs a fixed number of queries, however much data the municipality has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from institutions.models import Membership, Role
from tests.factories import InstitutionFactory, UserFactory

PAGES = ["municipality-home", "institutions:list", "institutions:users"]


def add_data(municipality, count: int) -> None:
    for _ in range(count):
        school = InstitutionFactory(municipality=municipality)
        Membership.objects.create(
            user=UserFactory(), municipality=municipality, role=Role.REPORTER, institution=school
        )


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGES)
def test_page_query_count_does_not_grow_with_data(name, login, board_admin, municipality_a):
    client = login(board_admin)
    url = reverse(name, kwargs={"municipality": municipality_a.slug})
    add_data(municipality_a, 3)
    small = queries(client, url)
    add_data(municipality_a, 30)
    assert queries(client, url) == small


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "expected"), [("institutions:list", 8), ("institutions:users", 8)]
)
def test_page_query_count_is_pinned(
    name, expected, login, board_admin, municipality_a, django_assert_num_queries
):
    client = login(board_admin)
    add_data(municipality_a, 5)
    url = reverse(name, kwargs={"municipality": municipality_a.slug})
    with django_assert_num_queries(expected):
        client.get(url)
