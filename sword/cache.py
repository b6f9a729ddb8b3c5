"""Django's Redis cache, keeping one client per connection pool.

Django's own client builds a new `redis.Redis` for every cache call, and each one fills a table
of some 200 reply handlers: about 0.06 ms, up to six times per survey response for the
rate-limit counters. We build one per pool and keep it (Django gives each thread its own
cache object, and a `redis.Redis` is safe to share in any case).
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        client = self._clients.get(index)
        if client is None:
            pools = self._pools  # type: ignore[attr-defined]
            if index not in pools:
                pools[index] = self._pool_class.from_url(  # type: ignore[attr-defined]
                    self._servers[index],  # type: ignore[attr-defined]
                    **self._pool_options,  # type: ignore[attr-defined]
                )
            client = self._clients[index] = self._client(connection_pool=pools[index])  # type: ignore[attr-defined]
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
