"""The weekly digest's sending (the Monday job dashboards.send_weekly_digests)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Subquery

from accounts.languages import in_language_of
from accounts.models import User
from dashboards.digest import digest_email, digest_week, organisation_digest_data, weekly_digest
from notices.links import digest_link, settings_link
from notices.selectors import sent_keys, without_digest
from notices.services import notice_key, send_notice_once
from organisations.access import Reach
from organisations.models import Membership, Organisation, Role

DIGEST_KIND = "weekly-digest"


def digest_readers() -> list[tuple[Organisation, list[tuple[User, Reach]]]]:
    """Per organisation, every active leader and org admin with their reach (all their roles),
    leaving out those who turned the digest off. Two queries, whatever the number of people."""
    readers = Membership.objects.filter(
        role__in=[Role.LEADER, Role.ORG_ADMIN], user__is_active=True
    ).values("user_id")
    memberships = (
        Membership.objects.filter(user_id__in=Subquery(readers))
        .select_related("user", "unit", "organisation")
        .order_by("user_id", "pk")
    )
    by_user: dict[int, list[Membership]] = defaultdict(list)
    for membership in memberships:
        by_user[membership.user_id].append(membership)
    off = without_digest(by_user)
    organisations: dict[int, Organisation] = {}
    found: dict[int, list[tuple[User, Reach]]] = defaultdict(list)
    for user_id, held in by_user.items():
        if user_id in off:
            continue
        organisation: Organisation = held[0].organisation
        reach = Reach(organisation=organisation, memberships=tuple(held))
        organisations[organisation.pk] = organisation
        found[organisation.pk].append((held[0].user, reach))
    return [(organisations[pk], readers) for pk, readers in found.items()]


def send_weekly_digests(*, today: date) -> int:
    """Each reader's digest for the week `today` falls in, once per week and address, and
    none when it would be empty. Digests already sent this week are not even built, so a
    second run costs one query per organisation. Returns how many were sent."""
    about = f"digest:{digest_week(today).label}"
    sent = 0
    for organisation, readers in digest_readers():
        done = sent_keys(
            notice_key(kind=DIGEST_KIND, about=about, address=user.email) for user, _ in readers
        )
        waiting = [
            (user, reach)
            for user, reach in readers
            if notice_key(kind=DIGEST_KIND, about=about, address=user.email) not in done
        ]
        if not waiting:
            continue
        data = organisation_digest_data(organisation)
        for user, reach in waiting:
            with in_language_of(user):
                digest = weekly_digest(reach=reach, today=today, data=data)
                if digest.is_empty:
                    continue
                subject, body = digest_email(
                    digest,
                    name=user.display_name,
                    turn_off_url=digest_link(user.pk),
                    settings_url=settings_link(),
                )
            sent += send_notice_once(
                kind=DIGEST_KIND,
                about=about,
                to=user.email,
                subject=subject,
                body=body,
                today=today,
            )
    return sent
