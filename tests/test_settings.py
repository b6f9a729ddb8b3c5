"""The production configuration: `check --deploy` is clean and a missing key stops start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-like-secret-key-with-plenty-of-random-characters-8f3k2",
    "SPENT_CODE_KEY": "a-production-like-spent-code-key-with-plenty-of-random-characters-4q9",
    "ALLOWED_HOSTS": "sword.example.org",
    "DATABASE_URL": "sqlite:////tmp/sword-deploy-check.sqlite3",
    "CACHE_URL": "redis://127.0.0.1:6379/0",  # only named: the check does not connect
}


# Variables the test environment sets that production would not.
TEST_ONLY = {
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "STATIC_MANIFEST",
    "SITE_URL",
    "EMAIL_BACKEND",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests' thread
    "REMINDER_ADDRESS_KEY",  # pyproject.toml gives the tests one
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and k not in TEST_ONLY and not k.startswith("SPEEDUP")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_it_passes_check_deploy_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_warns_check_deploy_about_a_per_process_cache():
    env = {**PRODUCTION, "CACHE_URL": "locmemcache://sword"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "sword.W001" in result.stdout + result.stderr


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_a_weak_secret_key_in_production():
    env = {**PRODUCTION, "SECRET_KEY": "short"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_it_refuses_to_start_in_production_without_a_spent_code_key():
    result = run_manage("check", env={**PRODUCTION, "SPENT_CODE_KEY": ""})
    assert result.returncode != 0
    assert "SPENT_CODE_KEY is not set" in result.stderr


def test_it_refuses_a_spent_code_key_that_is_short_or_the_secret_key():
    for weak in ("short", PRODUCTION["SECRET_KEY"]):
        result = run_manage("check", env={**PRODUCTION, "SPENT_CODE_KEY": weak})
        assert result.returncode != 0
        assert "SPENT_CODE_KEY is too weak" in result.stderr


def test_it_keeps_one_redis_client_per_pool_when_the_cache_is_redis():
    show = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = run_manage("shell", "--no-imports", "-c", show, env=PRODUCTION)
    assert result.stdout.strip() == "sword.cache.SharedClientRedisCache", result.stderr


def test_it_refuses_a_malformed_reminder_address_key_with_a_clear_message():
    for malformed in ("not-a-key", "c2hvcnQ=", "a" * 44 + "!"):
        result = run_manage("check", env={**PRODUCTION, "REMINDER_ADDRESS_KEY": malformed})
        assert result.returncode != 0
        assert "REMINDER_ADDRESS_KEY is malformed" in result.stderr


def test_it_refuses_the_development_reminder_address_key_in_production():
    development = "ZGV2ZWxvcG1lbnQtb25seS1yZW1pbmRlci1rZXktMzI="
    result = run_manage("check", env={**PRODUCTION, "REMINDER_ADDRESS_KEY": development})
    assert result.returncode != 0
    assert "REMINDER_ADDRESS_KEY is the development key" in result.stderr


def test_it_starts_in_production_with_or_without_a_reminder_address_key():
    key = "cHJvZHVjdGlvbi1saWtlLXJlbWluZGVyLWtleS0zMmI="
    show = "from django.conf import settings; print(repr(settings.REMINDER_ADDRESS_KEY))"
    with_key = run_manage(
        "shell", "--no-imports", "-c", show, env={**PRODUCTION, "REMINDER_ADDRESS_KEY": key}
    )
    assert with_key.stdout.strip() == repr(key), with_key.stderr
    without = run_manage("shell", "--no-imports", "-c", show, env=PRODUCTION)
    assert without.stdout.strip() == "''", without.stderr


def test_it_gives_a_process_s_own_cache_room_for_a_page_s_settled_sums_and_plans(db):
    # With Django's 300 entries, one team manager's trends page kept more settled sums than
    # that: culling them dropped the settled plans' generation as well, and every plan was
    # worked out again on every request.
    from django.conf import settings
    from django.core.cache import cache

    from diagnostics import settled_plans

    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")  # no CACHE_URL here
    generation = settled_plans.generation()
    for n in range(settled_plans.SUMS_IN_PROCESS + settled_plans.IN_PROCESS):
        cache.set(f"settled-sums:{n}", n)
    assert settled_plans.generation() == generation


def test_it_takes_a_process_s_own_cache_size_from_its_address():
    show = "from django.conf import settings; print(settings.CACHES['default']['OPTIONS'])"
    for url, entries in (
        ("locmemcache://sword", "20000"),
        ("locmemcache://sword?MAX_ENTRIES=50", "50"),
    ):
        result = run_manage(
            "shell", "--no-imports", "-c", show, env={**PRODUCTION, "CACHE_URL": url}
        )
        assert f"'MAX_ENTRIES': {entries}" in result.stdout, result.stderr
