"""An org admin opts in to the benchmark on the settings page; an operator sets the type and
size band the benchmark narrows by."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from organisations.models import AuditEvent, Organisation

SETTINGS = {
    "name": "Example Council",
    "anonymity_threshold": 5,
    "comment_threshold": 10,
    "pulse_window_days": 90,
    "drivers_minimum": 30,
    "safety_contact": "Call 999",
}


def test_it_explains_what_taking_part_shares(world, client_for):
    content = client_for(world.org_admin).get(reverse("organisations:settings")).content.decode()
    assert "What taking part in the benchmark shares" in content
    assert "Nothing named" in content
    assert "Take part in the benchmark" in content


def test_it_lets_an_org_admin_opt_in_and_records_it(world, client_for):
    response = client_for(world.org_admin).post(
        reverse("organisations:settings"),
        {**SETTINGS, "benchmark_opt_in": "on", "benchmark_compare_with": "kind"},
    )
    assert response.status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.benchmark_opt_in is True
    assert world.organisation.benchmark_compare_with == "kind"
    event = AuditEvent.objects.get(action=AuditEvent.Action.THRESHOLD_CHANGED)
    assert event.new["benchmark_opt_in"] is True
    assert event.new["benchmark_compare_with"] == "kind"
    assert "takes part in the benchmark: False → True" in event.detail


def test_it_keeps_the_comparison_when_a_post_leaves_it_out(world, client_for):
    Organisation.objects.filter(pk=world.organisation.pk).update(benchmark_compare_with="size")
    response = client_for(world.org_admin).post(reverse("organisations:settings"), SETTINGS)
    assert response.status_code == 302
    world.organisation.refresh_from_db()
    assert world.organisation.benchmark_compare_with == "size"
    assert world.organisation.benchmark_opt_in is False


def test_it_lets_an_operator_set_the_type_and_size_band(world, client_for):
    operator = User.objects.create_superuser(email="op@example.org", password="x" * 20)
    client = client_for(operator)
    url = reverse("admin:organisations_organisation_change", args=[world.organisation.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "children", "size_band": "medium"})
    assert response.status_code == 302
    world.organisation.refresh_from_db()
    assert (world.organisation.kind, world.organisation.size_band) == ("children", "medium")
    assert world.organisation.name == "Example Council"


def test_it_keeps_the_type_and_size_off_the_org_admins_page(world, client_for):
    content = client_for(world.org_admin).get(reverse("organisations:settings")).content.decode()
    assert 'name="kind"' not in content
    assert 'name="size_band"' not in content
