from __future__ import annotations

from sword.checks import shared_cache_for_rate_limits


def test_it_warns_when_rate_limits_would_be_counted_per_worker(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in shared_cache_for_rate_limits()] == ["sword.W001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    assert shared_cache_for_rate_limits() == []
