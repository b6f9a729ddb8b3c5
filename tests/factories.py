"""Test data builders."""

from __future__ import annotations

from typing import Any, cast

import factory

from accounts.models import User
from organisations.models import Organisation, Unit
from organisations.selectors import root_of
from organisations.services import add_unit, create_organisation, grant_membership

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(TEST_PASSWORD)


def make_organisation(name: str, slug: str) -> Organisation:
    return create_organisation(name=name, slug=slug)


def make_units(organisation: Organisation, spec: dict[str, Any]) -> dict[str, Unit]:
    """Build a tree from nested dicts; a list value lists teams.

    make_units(org, {"Children": {"North": ["Team A", "Team B"]}})
    """
    units: dict[str, Unit] = {"root": root_of(organisation)}

    def build(parent: Unit, children: Any) -> None:
        if isinstance(children, list):
            for name in children:
                units[name] = add_unit(parent=parent, name=name, is_team=True)
            return
        for name, grandchildren in children.items():
            units[name] = add_unit(parent=parent, name=name, is_team=False)
            build(units[name], grandchildren)

    build(units["root"], spec)
    return units


def make_user(**kwargs: Any) -> User:
    return cast(User, UserFactory(**kwargs))


def make_member(unit: Unit, role: str, **kwargs: Any) -> User:
    user = make_user(**kwargs)
    grant_membership(user=user, unit=unit, role=role)
    return user
