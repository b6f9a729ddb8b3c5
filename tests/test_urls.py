"""The site's URLs and the operators' admin they mount."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User


def test_it_names_the_operator_admin_as_swords(client, db):
    operator = User.objects.create_superuser(email="operator@example.org", password="x" * 16)
    client.force_login(operator)
    page = client.get(reverse("admin:index")).content.decode()
    assert "SWORD operator admin" in page
    assert "Django administration" not in page
