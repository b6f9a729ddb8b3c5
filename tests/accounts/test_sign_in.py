from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import TEST_PASSWORD, make_user


@pytest.fixture
def person(db) -> User:
    return make_user(email="sam@example.org", display_name="Sam")


def sign_in(client, email: str, password: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_it_signs_in_with_an_email_address_in_any_case(client, person):
    response = sign_in(client, "SAM@Example.org", TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_it_explains_a_failed_sign_in(client, person):
    response = sign_in(client, "sam@example.org", "wrong-password")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_it_pauses_sign_in_after_repeated_failures_with_a_clear_message(client, person, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "sam@example.org", "wrong-password")
    response = sign_in(client, "sam@example.org", TEST_PASSWORD)
    assert response.status_code == 429
    assert "Sign-in is paused for this account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_pauses_the_account_whatever_spelling_of_its_address_the_guesses_use(
    client, person, settings
):
    spellings = ["sam@example.org", "Sam@example.org", "SAM@EXAMPLE.ORG", " sAm@example.org "]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, spellings[attempt % len(spellings)], "wrong-password")
    assert sign_in(client, "saM@Example.Org", TEST_PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_pauses_the_account_for_the_whole_ipv6_64_the_guesses_came_from(
    client, person, settings
):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("accounts:login"),
            {"username": "sam@example.org", "password": "wrong-password"},
            REMOTE_ADDR=f"2001:db8:0:7::{attempt + 1:x}",
        )
    from_next_address = client.post(
        reverse("accounts:login"),
        {"username": "sam@example.org", "password": TEST_PASSWORD},
        REMOTE_ADDR="2001:db8:0:7:ffff::1",
    )
    assert from_next_address.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_signs_out_on_post(client, person):
    client.force_login(person)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_says_you_are_signed_out_on_the_page_it_lands_on(client, person):
    client.force_login(person)
    page = client.post(reverse("accounts:logout"), follow=True)
    assert page.redirect_chain == [(reverse("accounts:login"), 302)]
    assert "You are signed out" in page.content.decode()
    assert "You are signed out" not in client.get(reverse("accounts:login")).content.decode()


def test_it_asks_before_signing_out_when_the_address_is_opened(client, person):
    client.force_login(person)
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()
    assert "_auth_user_id" in client.session  # a GET never signs anyone out
    client.logout()
    assert "You are signed out" in client.get(reverse("accounts:logout")).content.decode()


def test_it_emails_a_reset_link_that_sets_a_new_password(client, person):
    response = client.post(reverse("accounts:password_reset"), {"email": "sam@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/set-password/\S+)", str(mail.outbox[0].body))
    assert link is not None
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0]
    weak = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert "too common" in weak.content.decode()
    done = client.post(
        form_url,
        {"new_password1": "a-much-better-passphrase", "new_password2": "a-much-better-passphrase"},
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-much-better-passphrase")


def test_it_sends_a_reset_link_to_an_invited_person_without_a_password(client, db):
    invited = User.objects.create_user(email="new@example.org", display_name="New")
    assert not invited.has_usable_password()
    client.post(reverse("accounts:password_reset"), {"email": "new@example.org"})
    assert len(mail.outbox) == 1


def test_it_writes_the_name_as_typed_in_the_plain_text_reset_email(client, db):
    make_user(email="ceri@example.org", display_name="Ceri O'Brien & Sam")
    client.post(reverse("accounts:password_reset"), {"email": "ceri@example.org"})
    (message,) = mail.outbox
    assert message.subject == "Set your SWORD password"
    assert "Hello Ceri O'Brien & Sam," in message.body
    assert "&amp;" not in message.body
    assert "&#x27;" not in message.body
    assert not getattr(message, "alternatives", [])  # no HTML part to escape


def test_it_stores_email_addresses_in_lower_case(db):
    user = User.objects.create_user(email="  Mixed.Case@Example.ORG ", display_name="M")
    assert user.email == "mixed.case@example.org"


def test_it_limits_sign_in_attempts_from_one_address_across_accounts(client, person, settings):
    settings.SIGN_IN_RATE = "3/m"
    for number in range(3):
        response = sign_in(client, f"nobody{number}@example.org", "wrong-password")
        assert response.status_code == 200
    response = sign_in(client, "sam@example.org", TEST_PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts from here" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:login")).status_code == 200  # the form still shows


def test_it_limits_password_emails_from_one_address(client, person, settings):
    settings.PASSWORD_RESET_RATE = "2/h"
    for _ in range(2):
        client.post(reverse("accounts:password_reset"), {"email": "sam@example.org"})
    response = client.post(reverse("accounts:password_reset"), {"email": "sam@example.org"})
    assert response.status_code == 429
    assert "requests for a password e-mail" in response.content.decode()
    assert len(mail.outbox) == 2


def test_it_pauses_sign_in_for_the_client_behind_the_proxy_not_the_proxy(client, person, settings):
    settings.PROXY_COUNT = 1
    through_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("accounts:login"),
            {"username": "sam@example.org", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR="203.0.113.66",
            **through_proxy,
        )
    elsewhere = client.post(
        reverse("accounts:login"),
        {"username": "sam@example.org", "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
        **through_proxy,
    )
    assert elsewhere.status_code == 302  # the person's own address was never paused


def test_it_ends_a_staff_session_a_working_day_after_sign_in_or_at_browser_close(
    client, person, settings
):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    response = sign_in(client, "sam@example.org", TEST_PASSWORD)
    assert response.cookies["sessionid"]["max-age"] == ""  # a browser-session cookie
    assert client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 9 * 60 * 60
    signed_in_until = Session.objects.get().expire_date
    assert client.get(reverse("dashboards:index")).status_code != 302
    assert Session.objects.get().expire_date == signed_in_until  # page views do not extend it

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = client.get(reverse("dashboards:index"))
    assert expired.status_code == 302
    assert expired["Location"].startswith(reverse("accounts:login"))


def test_it_says_why_a_page_sent_someone_signed_out_to_sign_in(client, db):
    followed = client.get(reverse("organisations:people"), follow=True)
    assert "Sign in to see that page." in followed.content.decode()
    assert "Sign in to see that page." not in client.get(reverse("accounts:login")).content.decode()
    home = client.get(reverse("home"), follow=True).content.decode()
    assert "Sign in to see that page." not in home


def test_it_asks_for_the_e_mail_address_in_the_words_the_sign_in_page_uses(client):
    form = client.get(reverse("accounts:password_reset")).context["form"]
    assert form.fields["email"].label == "E-mail address"
