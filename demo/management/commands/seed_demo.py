from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.builder import DEMO_PASSWORD, seed
from organisations.models import Role


class Command(BaseCommand):
    help = "Create (or recreate) the demo organisation with users, cycles and responses."

    def handle(self, *args: Any, **options: Any) -> None:
        organisation, accounts = seed()
        self.stdout.write(self.style.SUCCESS(f"Demo organisation “{organisation.name}” is ready."))
        self.stdout.write(f"Browse to {settings.SITE_URL}/ and sign in with one of these:")
        for account in accounts:
            role = Role(account.role).label.lower()
            self.stdout.write(f"  {account.email:30} {role} at {account.unit_name}")
        self.stdout.write(f"Every demo account's password is: {DEMO_PASSWORD}")
