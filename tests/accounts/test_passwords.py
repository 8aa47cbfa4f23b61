"""Passwords: everyone changes their own; a password someone else chose (onboarding, an HR
or admin reset, the admin's forms) must be replaced before anything else, on pages, APIs
and the role-play socket alike; HR resets only their own cohorts' trainees; all audited,
never with a password in the record."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.demo import demo_accounts_ensure
from accounts.models import User
from accounts.password_required import API_REFUSAL
from accounts.roles import Role
from accounts.services import onboarding_batch_apply, onboarding_preview_create
from audit.models import AuditEvent
from tests.accounts.conftest import SHOP
from tests.factories import PASSWORD, CohortFactory, UserFactory

NEW_PASSWORD = "qiushui-lanhua-2026"
CHANGE_URL = "/password/"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Many sign-ins and password changes here; the hashing algorithm is not under test.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "accounts.hashers.InitialPasswordHasher",  # generated first passwords
    ]


def _signed_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    assert client.login(username=username, password=password), username
    return client


def _can_sign_in(username: str, password: str) -> bool:
    return Client().login(username=username, password=password)


def _change(client: Client, old: str, new: str = NEW_PASSWORD, **extra):
    data = {"old_password": old, "new_password1": new, "new_password2": new, **extra}
    return client.post(CHANGE_URL, data)


def _events(action: str, target: User) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, target_id=str(target.pk)))


def _no_secret_in(event: AuditEvent, *secrets: str) -> None:
    stored = json.dumps([event.before, event.after, event.reason], ensure_ascii=False)
    for secret in secrets:
        assert secret not in stored


def _forced(user: User) -> User:
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    user.refresh_from_db()
    return user


# --- a user's own change ------------------------------------------------------------------


@pytest.mark.django_db
def test_every_user_finds_the_change_page_and_the_old_password_stops_working(trainee):
    client = _signed_in("xiaoya")
    home = client.get(reverse("accounts:home")).content.decode()
    assert f'href="{CHANGE_URL}"' in home  # the link in the user menu
    assert client.get(CHANGE_URL).status_code == 200
    response = _change(client, PASSWORD)
    assert response.status_code == 302 and response.url == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200  # still signed in here
    assert not _can_sign_in("xiaoya", PASSWORD)
    assert _can_sign_in("xiaoya", NEW_PASSWORD)
    [event] = _events("password.change", trainee)
    assert event.actor == trainee and event.after["must_change_password"] is False
    _no_secret_in(event, PASSWORD, NEW_PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "old, new, problem",
    [
        ("wrong-password", NEW_PASSWORD, "old_password"),
        (PASSWORD, "12345678", "new_password2"),  # the validators: numeric, common
        (PASSWORD, PASSWORD, "new_password1"),  # the password someone else may know
    ],
)
def test_a_refused_change_keeps_the_password(trainee, old, new, problem):
    client = _signed_in("xiaoya")
    response = _change(client, old, new)
    assert response.status_code == 200
    assert response.context["form"].errors[problem]
    assert _can_sign_in("xiaoya", PASSWORD)
    assert not AuditEvent.objects.filter(action__startswith="password.").exists()


@pytest.mark.django_db
def test_a_change_ends_the_other_sign_ins_and_api_tokens(trainee):
    elsewhere = _signed_in("xiaoya")
    token = Token.objects.create(user=trainee)
    _change(_signed_in("xiaoya"), PASSWORD)
    response = elsewhere.get(reverse("accounts:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not Token.objects.filter(key=token.key).exists()


# --- who must change their password ------------------------------------------------------


@pytest.mark.django_db
def test_onboarded_new_hires_must_change_their_initial_password(hr, cohort, shops):
    roster = f"姓名,工号,店铺,批次\n钱多多,T3001,{SHOP},{cohort.code}\n".encode()
    batch = onboarding_preview_create(actor=hr, file_name="roster.csv", data=roster)
    [created] = onboarding_batch_apply(actor=hr, batch=batch)
    assert created.user.must_change_password
    client = _signed_in("T3001", created.password)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and response.url.startswith(CHANGE_URL)


@pytest.mark.django_db
def test_demo_users_keep_their_published_passwords_unless_asked(db):
    demo_accounts_ensure()
    assert not User.objects.filter(must_change_password=True).exists()
    assert _signed_in("trainee", "trainee-demo").get(reverse("accounts:home")).status_code == 200
    demo_accounts_ensure(must_change_password=True)
    assert User.objects.filter(must_change_password=True).count() == 4


@pytest.mark.django_db
def test_a_user_added_in_the_admin_must_change_the_password_typed_there(admin_user):
    admin = _signed_in("root_admin")
    response = admin.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new_trainer",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="new_trainer")
    assert created.must_change_password
    [event] = _events("user.create", created)
    assert event.actor == admin_user
    _no_secret_in(event, NEW_PASSWORD)


@pytest.mark.django_db
def test_a_password_set_in_the_admin_for_someone_else_is_a_reset(admin_user, trainee):
    admin = _signed_in("root_admin")
    elsewhere = _signed_in("xiaoya")
    url = reverse("admin:auth_user_password_change", args=[trainee.pk])
    response = admin.post(
        url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.must_change_password
    assert elsewhere.get(reverse("accounts:home")).status_code == 302
    [event] = _events("password.reset", trainee)
    assert event.actor == admin_user and event.after["via"] == "admin"
    _no_secret_in(event, NEW_PASSWORD)


# --- what a user who must change their password can do ------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/cohorts/", "/courses/", "/practice/", "/admin/", "/accounts/nothing/"]
)
def test_pages_lead_to_the_change_page(trainee, path):
    _forced(trainee)
    client = _signed_in("xiaoya")
    response = client.get(path)
    if path == "/accounts/nothing/":  # no such page: nothing to hold back
        assert response.status_code == 404
        return
    assert response.status_code == 302
    assert response.url == f"{CHANGE_URL}?next={path.replace('/', '%2F')}"


@pytest.mark.django_db
def test_the_change_page_sign_out_and_language_stay_open(trainee):
    _forced(trainee)
    client = _signed_in("xiaoya")
    page = client.get(CHANGE_URL)
    assert page.status_code == 200
    assert 'data-testid="password-change-required"' in page.content.decode()
    language = client.post(reverse("set_language"), {"language": "en", "next": CHANGE_URL})
    assert language.status_code == 302 and language.url == CHANGE_URL
    out = client.post(reverse("accounts:logout"))
    assert out.status_code == 302 and not out.url.startswith(CHANGE_URL)
    assert client.get(reverse("accounts:home")).url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_apis_answer_403_until_the_password_is_changed(trainee):
    token = Token.objects.create(user=trainee)  # obtained before the reset
    _forced(trainee)
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    by_session = _signed_in("xiaoya")
    for client in (by_token, by_session):
        for path in ("/api/me/", "/api/cohorts/", "/api/courses/"):
            response = client.get(path)
            assert response.status_code == 403, path
            assert response.json()["detail"] == str(API_REFUSAL), path
    # No new token either, but a wrong password is still just a wrong password.
    api = APIClient()
    refused = api.post("/api/auth/token/", {"username": "xiaoya", "password": PASSWORD})
    assert refused.status_code == 403 and refused.json()["detail"] == str(API_REFUSAL)
    assert Token.objects.filter(user=trainee).count() == 1
    wrong = api.post("/api/auth/token/", {"username": "xiaoya", "password": "nope"})
    assert wrong.status_code == 400

    response = _change(by_session, PASSWORD, next="/courses/")
    assert response.status_code == 302 and response.url == "/courses/"
    trainee.refresh_from_db()
    assert not trainee.must_change_password
    assert by_session.get("/api/me/").status_code == 200
    ended = by_token.get("/api/me/")  # the old token ended with the change: "invalid token"
    assert ended.status_code == 403 and ended.json()["detail"] != str(API_REFUSAL)
    fresh = api.post("/api/auth/token/", {"username": "xiaoya", "password": NEW_PASSWORD})
    assert fresh.status_code == 200
    [event] = _events("password.change_forced", trainee)
    assert event.before == {"must_change_password": True}
    _no_secret_in(event, PASSWORD, NEW_PASSWORD)


@pytest.mark.django_db
def test_the_next_page_after_a_change_stays_on_this_site(trainee):
    _forced(trainee)
    response = _change(_signed_in("xiaoya"), PASSWORD, next="https://evil.example/")
    assert response.status_code == 302 and response.url == reverse("accounts:home")


# --- the role-play socket -----------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_the_roleplay_socket_refuses_until_the_password_is_changed(trainee, trainer):
    from channels.testing import WebsocketCommunicator

    from catalog.services import catalog_import
    from roleplay.services.live import session_start
    from scenarios.services import scenario_create, scenario_publish
    from simulator.asgi import application
    from tests.event_loops import run_coroutine

    catalog_import(sorted((ROOT / "content" / "catalog").glob("*.yaml")))
    text = (ROOT / "tests" / "scenarios" / "fixtures" / "genuine-coat.yaml").read_text("utf-8")
    scenario = scenario_create(actor=trainer, yaml_text=text)
    scenario_publish(actor=trainer, scenario=scenario)
    session = session_start(trainee=trainee, scenario=scenario)
    browser = _signed_in("xiaoya")
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()

    async def connect() -> bool:
        communicator = WebsocketCommunicator(
            application,
            f"/ws/sessions/{session.pk}/",
            headers=[(b"cookie", cookie), (b"origin", b"http://localhost")],
        )
        connected, _code = await communicator.connect(timeout=10)
        await communicator.disconnect()
        return connected

    _forced(trainee)
    assert run_coroutine(connect()) is False
    _change(browser, PASSWORD)
    cookie = f"sessionid={browser.cookies['sessionid'].value}".encode()
    assert run_coroutine(connect()) is True


# --- resets by HR and administrators ------------------------------------------------------


def _reset_url(user: User) -> str:
    return reverse("accounts:user_password_reset", args=[user.pk])


def _api_reset_url(user: User) -> str:
    return reverse("accounts_api:user_password_reset", args=[user.pk])


@pytest.mark.django_db
def test_hr_resets_a_trainee_of_their_cohort(hr, trainee, cohort, caplog):
    elsewhere = _signed_in("xiaoya")
    Token.objects.create(user=trainee)
    desk = _signed_in("hr_zhao")
    cohort_page = desk.get(reverse("accounts:cohort_detail", args=[cohort.pk])).content.decode()
    assert _reset_url(trainee) in cohort_page
    assert desk.get(_reset_url(trainee)).status_code == 200  # asks first
    assert _can_sign_in("xiaoya", PASSWORD)
    with caplog.at_level(logging.DEBUG):
        done = desk.post(_reset_url(trainee))
    assert done.status_code == 200
    temporary = done.context["temporary_password"]
    assert temporary in done.content.decode()
    assert "no-store" in done["Cache-Control"]
    assert temporary not in caplog.text

    trainee.refresh_from_db()
    assert trainee.must_change_password and trainee.check_password(temporary)
    assert not _can_sign_in("xiaoya", PASSWORD)
    assert elsewhere.get(reverse("accounts:home")).url.startswith(reverse("accounts:login"))
    assert not Token.objects.filter(user=trainee).exists()
    [event] = _events("password.reset", trainee)
    assert event.actor == hr and event.target_repr == "王小丫"
    _no_secret_in(event, temporary, PASSWORD)

    # The temporary password opens the change page only, and works until it is replaced.
    client = _signed_in("xiaoya", temporary)
    assert client.get(reverse("accounts:home")).url.startswith(CHANGE_URL)
    assert _change(client, temporary).status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200
    assert not _can_sign_in("xiaoya", temporary)


@pytest.mark.django_db
def test_the_reset_api_returns_the_temporary_password_once(hr, trainee, cohort):
    api = APIClient()
    api.force_authenticate(hr)
    response = api.post(_api_reset_url(trainee))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "xiaoya" and body["must_change_password"] is True
    assert "no-store" in response["Cache-Control"]
    assert _can_sign_in("xiaoya", body["temporary_password"])
    again = api.post(_api_reset_url(trainee)).json()["temporary_password"]
    assert again != body["temporary_password"]
    assert not _can_sign_in("xiaoya", body["temporary_password"])
    assert len(_events("password.reset", trainee)) == 2


@pytest.mark.django_db
def test_hr_of_another_cohort_gets_404(trainee, cohort):
    other_hr = UserFactory(username="hr_qian", role=Role.HR)
    CohortFactory().hr_staff.add(other_hr)
    desk = _signed_in("hr_qian")
    assert desk.get(_reset_url(trainee)).status_code == 404
    assert desk.post(_reset_url(trainee)).status_code == 404
    cohort_page = desk.get(reverse("accounts:cohort_detail", args=[cohort.pk])).content.decode()
    assert _reset_url(trainee) not in cohort_page  # HR sees every cohort, resets only theirs
    api = APIClient()
    api.force_authenticate(other_hr)
    assert api.post(_api_reset_url(trainee)).status_code == 404
    assert _can_sign_in("xiaoya", PASSWORD)
    assert not AuditEvent.objects.filter(action="password.reset").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["trainer", "other_trainee"])
def test_trainers_and_trainees_cannot_reset(request, cohort, trainee, who):
    user = request.getfixturevalue(who)
    cohort.trainees.add(request.getfixturevalue("other_trainee"))
    client = _signed_in(user.username)
    assert client.get(_reset_url(trainee)).status_code == 403
    assert client.post(_reset_url(trainee)).status_code == 403
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(_api_reset_url(trainee))
    assert response.status_code == 403 and response.json()["detail"]
    page = client.get(reverse("accounts:cohort_detail", args=[cohort.pk])).content.decode()
    assert _reset_url(trainee) not in page
    assert _can_sign_in("xiaoya", PASSWORD)


@pytest.mark.django_db
def test_hr_cannot_reset_a_member_holding_a_wider_role(hr, cohort, trainer, admin_user):
    """A trainer or admin listed among a cohort's trainees stays out of HR's reach: the
    temporary password would open an account wider than HR's own."""
    colleague = UserFactory(username="hr_sun", role=Role.HR)  # not staff, yet wider
    cohort.trainees.add(trainer, admin_user, colleague)
    desk = _signed_in("hr_zhao")
    for member in (trainer, admin_user, colleague, hr):
        assert desk.post(_reset_url(member)).status_code == 404, member.username
    assert _can_sign_in("teacher_li", PASSWORD) and _can_sign_in("hr_sun", PASSWORD)


@pytest.mark.django_db
def test_an_admin_resets_anyone_but_not_through_the_reset_for_themselves(admin_user, hr):
    api = APIClient()
    api.force_authenticate(admin_user)
    assert api.post(_api_reset_url(hr)).status_code == 200
    assert get_user_model().objects.get(pk=hr.pk).must_change_password
    assert api.post(_api_reset_url(admin_user)).status_code == 404  # the change page is theirs
