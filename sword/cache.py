"""Django's Redis cache, keeping one client per connection pool.

Django's own client builds a new `redis.Redis` for every cache call, and each one fills a table
of some 200 reply handlers: about 0.06 ms, up to six times per survey response for the
rate-limit counters. We build one per pool and keep it (Django gives each thread its own
cache object, and a `redis.Redis` is safe to share in any case).

This subclasses Django's undocumented client and uses its private `_get_connection_pool`,
`_client` and `_class`, which a Django upgrade may change: `SPEEDUP_SHARED_REDIS_CLIENT = False`
makes the settings use Django's `RedisCache` as shipped.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[Any, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
