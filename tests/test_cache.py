"""The Redis cache keeps one client per pool and still works as a cache (needs local Redis)."""

from __future__ import annotations

import secrets

import pytest
import redis

from sword.cache import SharedClientRedisCache

REDIS_URL = "redis://127.0.0.1:6379/2"


@pytest.fixture
def redis_cache() -> SharedClientRedisCache:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{secrets.token_hex(4)}"})


def test_it_reuses_one_client_for_every_call(redis_cache):
    client = redis_cache._cache

    assert client.get_client() is client.get_client()
    assert client.get_client(write=True) is client.get_client("any-key", write=True)
    assert client.get_client().connection_pool is client._pools[0]  # the pool of its server


def test_it_stores_reads_and_counts_like_the_stock_cache(redis_cache):
    assert redis_cache.add("counter", 0, 60)
    assert not redis_cache.add("counter", 5, 60)
    assert redis_cache.incr("counter") == 1
    assert redis_cache.get("counter") == 1
    redis_cache.set("object", {"a": [1, 2]}, 60)
    assert redis_cache.get("object") == {"a": [1, 2]}
    redis_cache.delete_many(["counter", "object"])
    assert redis_cache.get("counter") is None
