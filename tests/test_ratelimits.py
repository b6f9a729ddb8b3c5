from __future__ import annotations

import hashlib

from sword.ratelimits import client_key


def test_it_keys_counters_by_an_hmac_of_the_address_under_the_secret_key(rf, settings):
    request = rf.get("/", REMOTE_ADDR="198.51.100.7")
    settings.SECRET_KEY = "first-secret-" + "x" * 40
    first = client_key("survey-codes", request)
    assert "198.51.100.7" not in first
    assert first != hashlib.sha256(b"198.51.100.7").hexdigest()
    assert first == client_key("voice", request)  # the group is added by django-ratelimit
    assert client_key("survey-codes", rf.get("/", REMOTE_ADDR="198.51.100.8")) != first
    settings.SECRET_KEY = "second-secret-" + "x" * 40
    assert client_key("survey-codes", request) != first


def test_it_counts_an_ipv6_client_by_its_64_network(rf):
    """One subscriber holds a whole /64: stepping through its addresses must not reset a limit."""

    def key(address: str) -> str:
        return client_key("voice", rf.get("/", REMOTE_ADDR=address))

    assert key("2001:db8:0:1::1") == key("2001:db8:0:1:ffff:ffff:ffff:12c")
    assert key("2001:db8:0:1::1") != key("2001:db8:0:2::1")
    assert key("::ffff:198.51.100.7") == key("198.51.100.7")


def test_it_stops_a_client_raising_past_the_limit_from_other_addresses_of_its_64(
    world, client, settings
):
    from django.urls import reverse

    from voice.services import board_for

    settings.VOICE_RAISE_RATE = "3/h"
    board = board_for(world.team_a)
    path = reverse("voice:raise", kwargs={"token": board.token})
    statuses = [
        client.post(
            path,
            {"category": "other", "text": f"Issue {n}"},
            REMOTE_ADDR=f"2001:db8:0:1::{n + 1:x}",
        ).status_code
        for n in range(4)
    ]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3] == 429
