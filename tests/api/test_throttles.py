from __future__ import annotations

from django.urls import reverse

from api.models import ApiToken


def test_it_answers_429_past_the_rate_for_that_token_only(world, make_token, api_get, settings):
    settings.API_RATE = "3/m"
    _, raw = make_token(world.org_admin)
    _, other = make_token(world.org_admin, name="Script")
    for _ in range(3):
        assert api_get(reverse("api:units"), raw).status_code == 200
    refused = api_get(reverse("api:units"), raw)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert api_get(reverse("api:units"), other).status_code == 200


def test_it_records_no_read_it_refused(world, make_token, api_get, settings):
    from organisations.models import AuditEvent

    settings.API_RATE = "1/h"
    _, raw = make_token(world.org_admin)
    api_get(reverse("api:units"), raw)
    api_get(reverse("api:units"), raw)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_READ).count() == 1
    assert ApiToken.objects.count() == 1
