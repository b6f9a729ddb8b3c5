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
