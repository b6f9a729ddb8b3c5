"""The static storages give the stock address, working it out once per name."""

from __future__ import annotations

from unittest import mock

from django.contrib.staticfiles.storage import StaticFilesStorage

from sword.storage import RememberedUrlsStaticFilesStorage


def test_it_gives_the_stock_address_and_works_it_out_once():
    storage = RememberedUrlsStaticFilesStorage()
    expected = StaticFilesStorage().url("css/sword.css")

    with mock.patch.object(
        StaticFilesStorage, "url", autospec=True, side_effect=StaticFilesStorage.url
    ) as url:
        addresses = [storage.url("css/sword.css") for _ in range(3)]
        other = storage.url("favicon.svg")

    assert addresses == [expected] * 3
    assert other == StaticFilesStorage().url("favicon.svg")
    assert url.call_count == 2


def test_it_is_the_storage_the_site_uses_while_its_switch_is_on(settings):
    from django.core.files.storage import storages

    remembering = isinstance(storages["staticfiles"], RememberedUrlsStaticFilesStorage)
    assert remembering is settings.SPEEDUP_REMEMBERED_STATIC_URLS
