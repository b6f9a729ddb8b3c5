"""The demo's five organisations taking part in the benchmark beside Northbrook."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import User
from benchmarks.models import Benchmark, BenchmarkRow
from benchmarks.rules import period_of
from demo.builder import DEMO_SLUG
from demo.peers import PEERS
from diagnostics.models import Cycle
from organisations.models import Organisation


def test_it_builds_five_organisations_so_northbrook_sees_where_it_stands(seeded_demo, client_for):
    peers = Organisation.objects.filter(slug__startswith="demo-peer-")
    assert peers.count() == 5
    assert all(peers.values_list("benchmark_opt_in", flat=True))
    northbrook = Organisation.objects.get(slug=DEMO_SLUG)
    autumn, spring = Cycle.objects.filter(organisation=northbrook, kind=Cycle.Kind.FULL)[:2]
    # The spring diagnostic's half-year has ended, so its benchmark is computed; the autumn
    # diagnostic's dashboard compares with it until its own half-year's is.
    benchmark = Benchmark.objects.get(cohort="all", period=period_of(spring.closes_on))
    assert benchmark.organisations == 6
    # The peers' conditions differ: organisation means spread across the scale.
    rows = BenchmarkRow.objects.filter(benchmark=benchmark, level="org")
    assert rows.count() == 9
    assert any(row.p80 - row.p20 >= 0.3 for row in rows)

    admin = User.objects.get(email="admin@northbrook.example")
    root = northbrook.units.get(depth=1)
    client = client_for(admin)
    profile = client.get(reverse("dashboards:profile", args=[root.pk]), {"cycle": autumn.pk})
    content = profile.content.decode()
    assert "Benchmark position" in content
    assert "6 organisations" not in content
    assert "5 to 9 organisations" in content
    page = client.get(reverse("dashboards:benchmark", args=[root.pk]), {"cycle": autumn.pk})
    for text in (content, page.content.decode()):
        for peer in PEERS:
            assert peer.name not in text
            assert peer.teams[0] not in text
