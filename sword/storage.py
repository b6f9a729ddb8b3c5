"""Static file storages that work out each file's address once per process.

`{% static %}` asks the storage for an address on every use: five times per page in the base
layout, each a manifest look-up, a URL join and quoting. The answer for a name never changes
while the process runs (the manifest is read at start-up), so these storages keep it. Changing
`STORAGES` or `STATIC_URL` (as `override_settings` does) builds a new storage and starts afresh.

That a name's address never changes is our assumption, not Django's promise (a storage that
reloads its manifest would break it): `SPEEDUP_REMEMBERED_STATIC_URLS = False` makes the
settings use the stock storages instead of these.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class RememberedUrlsMixin:
    def url(self, name: str, *args: Any, **kwargs: Any) -> str:
        if args or kwargs:
            return super().url(name, *args, **kwargs)  # type: ignore[misc]
        remembered: dict[str, str] = self.__dict__.setdefault("_remembered_urls", {})
        url = remembered.get(name)
        if url is None:
            url = remembered[name] = super().url(name)  # type: ignore[misc]
        return url


class RememberedUrlsStaticFilesStorage(RememberedUrlsMixin, StaticFilesStorage):  # type: ignore[misc]
    pass


class RememberedUrlsManifestStorage(RememberedUrlsMixin, CompressedManifestStaticFilesStorage):
    pass
