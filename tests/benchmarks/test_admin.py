"""The operators' admin for benchmarks: read-only, and a published half-year cannot be deleted."""

from __future__ import annotations

from django.core.management import call_command
from django.urls import reverse

from benchmarks.models import Benchmark
from tests.factories import make_user


def test_it_never_lets_an_operator_delete_a_published_benchmark(five_orgs, client):
    call_command("compute_benchmarks")
    benchmark = Benchmark.objects.first()
    assert benchmark is not None
    operator = make_user(email="op@example.org", is_staff=True, is_superuser=True)
    client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    listing = client.get(reverse("admin:benchmarks_benchmark_changelist"))
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    delete = reverse("admin:benchmarks_benchmark_delete", args=[benchmark.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:benchmarks_benchmark_changelist"),
        {"action": "delete_selected", "_selected_action": [benchmark.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert Benchmark.objects.filter(pk=benchmark.pk).exists()
