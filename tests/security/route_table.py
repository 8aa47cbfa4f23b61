"""What every route answers to every role: the one place the expected outcomes are written.

Each row lists the outcome per role, in the order of ``ROLES``:

    anonymous, trainee, other_trainee, trainer, other_trainer, hr, admin_user

Routes that name an object of a trainee or a cohort have two rows: ``own`` (the object
belongs to ``trainee``, in the cohort of ``trainer`` and ``hr``) and ``other`` (it belongs
to ``other_trainee``, in the cohort of ``other_trainer``). An outcome is an HTTP status,
``LOGIN`` (a redirect to the sign-in page), ``ADMIN_LOGIN`` (to the admin's), or for
WebSocket routes ``ACCEPT``/``REFUSE``.

The rules behind the rows: roles hold the permissions their apps declare
(``role_permissions`` on each AppConfig, collected by accounts.roles); trainers and
administrators are staff (accounts.services.user_create); trainers see the people of the
cohorts they train, HR and administrators every cohort (accounts.selectors); trainees'
conversations and reports are read by the holders of roleplay.view_session, trainers for
their cohorts only (roleplay.selectors); a trainee's attempts, drills, sessions and exams
are theirs alone, and someone else's is a 404 so that its existence is not revealed.
POST, PUT and DELETE routes are sent an empty or invalid body: refusal must come before
validation, and a role that may not act never gets a 2xx or a 500.

A route in the URL configuration without a row here, or a row for a route that no longer
exists, fails tests/security/test_route_matrix.py. The admin's per-model routes are not
listed: ``admin_expected`` derives them from the admin site's registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from accounts.roles import Role, role_permissions
from certification.signing import key_thumbprint
from tests.security.world import ROLES, World

LOGIN = "login"  # 302 to the sign-in page, ?next= the page asked for
ADMIN_LOGIN = "admin_login"  # 302 to the admin's sign-in page
ADMIN_INDEX = "admin_index"  # 302 to the admin index: "no such object" as the admin says it
ACCEPT = "accept"  # WebSocket handshake accepted
REFUSE = "refuse"  # WebSocket handshake refused

Outcome = int | str
Row = tuple[Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome]


@dataclass(frozen=True)
class Entry:
    """How to call one route and what each role gets. ``expect`` maps a side ("own",
    "other"; "any" for routes naming no one's object) to a row."""

    expect: dict[str, Row]
    kwargs: Callable[[World, str], dict] = field(default=lambda world, side: {})
    method: str = "get"
    query: str = ""
    data: dict | None = None  # form fields (pages) or the JSON body (APIs)
    json: bool = False
    # The page shows a person's name to anyone by design (a certificate's public check).
    name_public: bool = False
    path: Callable[[World, str], str] | None = None  # unnamed routes: the URL itself
    # Answered with the help of other database connections (health checks, sockets):
    # checked against committed data (test_committed_routes.py), not in a transaction.
    committed: bool = False

    def rows(self) -> dict[str, dict[str, Outcome]]:
        for side, row in self.expect.items():
            assert len(row) == len(ROLES), (side, row)
        return {side: dict(zip(ROLES, row, strict=True)) for side, row in self.expect.items()}


def any_(row: Row, **how) -> Entry:
    return Entry(expect={"any": row}, **how)


def owned(own: Row, other: Row, **how) -> Entry:
    return Entry(expect={"own": own, "other": other}, **how)


def api_post(row: Row, **how) -> Entry:
    return any_(row, method="post", json=True, data={}, **how)


L, AL, AI = LOGIN, ADMIN_LOGIN, ADMIN_INDEX

# Columns: anonymous, trainee, other_trainee, trainer, other_trainer, hr, admin_user.
TRAINEE_PAGE: Row = (L, 200, 200, 403, 403, 403, 200)
TRAINEE_POST: Row = (L, 302, 302, 403, 403, 403, 302)
AUTHOR_PAGE: Row = (L, 403, 403, 200, 200, 403, 200)
AUTHOR_POST: Row = (L, 403, 403, 302, 302, 403, 302)
SIGNED_IN_PAGE: Row = (L, 200, 200, 200, 200, 200, 200)
PUBLIC: Row = (200, 200, 200, 200, 200, 200, 200)
STAFF_PAGE: Row = (AL, AL, AL, 200, 200, AL, 200)
# APIs: DRF answers anonymous callers 403 (session authentication sends no challenge).
TRAINEE_API: Row = (403, 200, 200, 403, 403, 403, 200)
AUTHOR_API: Row = (403, 403, 403, 200, 200, 403, 200)
AUTHOR_API_INVALID: Row = (403, 403, 403, 400, 400, 403, 400)
SIGNED_IN_API: Row = (403, 200, 200, 200, 200, 200, 200)
ADMIN_ONLY_API: Row = (403, 403, 403, 403, 403, 403, 200)

# A trainee's own object: theirs alone (another trainee, and an administrator, who is no
# trainee of it, get 404); roles without the trainee permission get 403.
# Certification results: a trainee of the trainer's own cohort, or of the other trainer's.
RESULTS_PAGE: Row = (L, 403, 403, 200, 200, 200, 200)
RESULTS_OWN: Row = (L, 403, 403, 200, 404, 200, 200)
RESULTS_OTHER: Row = (L, 403, 403, 404, 200, 200, 200)
RESULTS_API: Row = (403, 403, 403, 200, 200, 200, 200)
RESULTS_OWN_API: Row = (403, 403, 403, 200, 404, 200, 200)
RESULTS_OTHER_API: Row = (403, 403, 403, 404, 200, 200, 200)
OWN_CERT: Row = (L, 200, 404, 404, 404, 404, 404)
OTHER_CERT: Row = (L, 404, 200, 404, 404, 404, 404)
OWN_BY_TRAINEE: Row = (L, 200, 404, 403, 403, 403, 404)
OTHER_BY_TRAINEE: Row = (L, 404, 200, 403, 403, 403, 404)
OWN_BY_TRAINEE_API: Row = (403, 200, 404, 403, 403, 403, 404)
OTHER_BY_TRAINEE_API: Row = (403, 404, 200, 403, 403, 403, 404)


def _quiz(world: World, side: str) -> dict:
    return {"quiz_id": world.quiz.pk}


def _module(world: World, side: str) -> dict:
    return {"course_slug": world.course.slug, "module_slug": world.module.slug}


def _certificate(world: World, side: str) -> dict:
    return {"pk": world.certificates[side].pk}


def _scenario(world: World, side: str) -> dict:
    return {"slug": world.scenarios[0].slug}


ROUTES: dict[str, Entry] = {
    # --- accounts: signing in, home, cohorts, onboarding ------------------------------
    "accounts:login": any_((200, 302, 302, 302, 302, 302, 302)),
    "accounts:logout": any_((L, L, L, L, L, L, L), method="post"),  # then the sign-in page
    "accounts:home": any_(SIGNED_IN_PAGE),
    "accounts:cohort_list": any_((L, 403, 403, 200, 200, 200, 200)),
    "accounts:cohort_detail": owned(
        (L, 403, 403, 200, 404, 200, 200),
        (L, 403, 403, 404, 200, 200, 200),
        kwargs=lambda w, side: {"pk": w.cohorts[side].pk},
    ),
    "accounts:onboarding_upload": any_((L, 403, 403, 403, 403, 200, 200)),
    "accounts:onboarding_preview": any_(
        (L, 403, 403, 403, 403, 200, 200), kwargs=lambda w, side: {"pk": w.batch.pk}
    ),
    # An import's initial passwords, fetched once by whoever ran the import: the matrix's
    # batch is only previewed, so it is no one's to fetch (404, even for HR and admins).
    "accounts:onboarding_passwords_csv": any_(
        (L, 403, 403, 403, 403, 404, 404), method="post", kwargs=lambda w, side: {"pk": w.batch.pk}
    ),
    "accounts:onboarding_passwords_xlsx": any_(
        (L, 403, 403, 403, 403, 404, 404), method="post", kwargs=lambda w, side: {"pk": w.batch.pk}
    ),
    "accounts:onboarding_password_slips": any_(
        (L, 403, 403, 403, 403, 404, 404), method="post", kwargs=lambda w, side: {"pk": w.batch.pk}
    ),
    "accounts:password_change": any_(SIGNED_IN_PAGE),  # one's own password
    # HR resets the trainees of the cohorts they serve, administrators anyone's.
    "accounts:user_password_reset": owned(
        (L, 403, 403, 403, 403, 200, 200),
        (L, 403, 403, 403, 403, 404, 200),
        kwargs=lambda w, side: {"pk": w.trainee_of(side).pk},
    ),
    "accounts_api:user_password_reset": owned(
        (403, 403, 403, 403, 403, 200, 200),
        (403, 403, 403, 403, 403, 404, 200),
        kwargs=lambda w, side: {"pk": w.trainee_of(side).pk},
        method="post",
        json=True,
        data={},
    ),
    "accounts_api:token": api_post((400, 400, 400, 400, 400, 400, 400)),  # the sign-in API
    "accounts_api:me": any_(SIGNED_IN_API),
    "accounts_api:cohort_list": any_(SIGNED_IN_API),  # trainees: their own cohort, no people
    "accounts_api:cohort_detail": owned(
        (403, 403, 403, 200, 404, 200, 200),
        (403, 403, 403, 404, 200, 200, 200),
        kwargs=lambda w, side: {"pk": w.cohorts[side].pk},
    ),
    # --- diagnostics: administrators only, but the health check is public -----------------
    "healthz": any_(PUBLIC, committed=True),
    "diagnostics:status": any_((L, 403, 403, 403, 403, 403, 200), committed=True),
    "diagnostics:timer_probe_create": any_(
        (L, 403, 403, 403, 403, 403, 302), method="post", data={"countdown_s": "soon"}
    ),
    "diagnostics_api:timer_probe_create": api_post((403, 403, 403, 403, 403, 403, 400)),
    "diagnostics_api:timer_probe_detail": any_(
        ADMIN_ONLY_API, kwargs=lambda w, side: {"pk": w.probe.pk}
    ),
    # --- courses -------------------------------------------------------------------------
    "courses:index": any_(TRAINEE_PAGE),
    "courses:authoring": any_(AUTHOR_PAGE),
    "courses:quiz_start": any_(TRAINEE_POST, method="post", kwargs=_quiz),
    "courses:statistics": any_(AUTHOR_PAGE, kwargs=_quiz),
    "courses:module_editor": any_(AUTHOR_PAGE, kwargs=_module),
    "courses:module_validate": any_(
        (L, 403, 403, 400, 400, 403, 400), method="post", json=True, data={}, kwargs=_module
    ),
    "courses:attempt": owned(
        OWN_BY_TRAINEE,
        OTHER_BY_TRAINEE,
        kwargs=lambda w, side: {"attempt_id": w.attempts[side].pk},
    ),
    "courses:drills": any_(TRAINEE_PAGE),
    "courses:drill": owned(
        OWN_BY_TRAINEE, OTHER_BY_TRAINEE, kwargs=lambda w, side: {"drill_id": w.drills[side].pk}
    ),
    "courses:module": any_(
        TRAINEE_PAGE,
        kwargs=lambda w, side: {"course_slug": w.course.slug, "module_slug": w.module.slug},
    ),
    "courses:lesson": any_(
        TRAINEE_PAGE,
        kwargs=lambda w, side: {
            "course_slug": w.course.slug,
            "module_slug": w.module.slug,
            "lesson_slug": w.lesson.slug,
        },
    ),
    "courses_api:courses": any_(TRAINEE_API),
    "courses_api:lesson": any_(TRAINEE_API, kwargs=lambda w, side: {"pk": w.lesson.pk}),
    "courses_api:lesson_read": api_post(
        (403, 204, 204, 403, 403, 403, 204), kwargs=lambda w, side: {"pk": w.lesson.pk}
    ),
    "courses_api:attempt_start": api_post(  # a trainee's open attempt comes back
        (403, 201, 201, 403, 403, 403, 201), kwargs=_quiz
    ),
    "courses_api:statistics": any_(AUTHOR_API, kwargs=_quiz),
    "courses_api:attempt": owned(
        OWN_BY_TRAINEE_API,
        OTHER_BY_TRAINEE_API,
        kwargs=lambda w, side: {"pk": w.attempts[side].pk},
    ),
    "courses_api:attempt_answers": owned(
        (403, 400, 404, 403, 403, 403, 404),
        (403, 404, 400, 403, 403, 403, 404),
        kwargs=lambda w, side: {"pk": w.attempts[side].pk},
        method="put",
        json=True,
        data={},
    ),
    "courses_api:attempt_submit": owned(  # an empty submission is a valid one
        OWN_BY_TRAINEE_API,
        OTHER_BY_TRAINEE_API,
        kwargs=lambda w, side: {"pk": w.attempts[side].pk},
        method="post",
        json=True,
        data={},
    ),
    # --- practice shops ------------------------------------------------------------------
    "catalog:shops": any_(SIGNED_IN_PAGE),
    "catalog:shop": any_(SIGNED_IN_PAGE, kwargs=lambda w, side: {"slug": w.shop.slug}),
    # --- scenarios (trainers author them together: no owner) ---------------------------
    "scenarios:index": any_(AUTHOR_PAGE),
    "scenarios:import": any_(AUTHOR_POST, method="post"),
    "scenarios:editor": any_(AUTHOR_PAGE, kwargs=_scenario),
    "scenarios:publish": any_(AUTHOR_POST, method="post", kwargs=_scenario),
    "scenarios:clone": any_(AUTHOR_POST, method="post", kwargs=_scenario),
    "scenarios:export": any_(AUTHOR_PAGE, kwargs=_scenario),
    "scenarios:diff": any_(AUTHOR_PAGE, kwargs=_scenario, query="a=1&b=1"),
    "scenarios_api:list": any_(AUTHOR_API),
    "scenarios_api:schema": any_(SIGNED_IN_API),
    "scenarios_api:validate": api_post(AUTHOR_API_INVALID),
    "scenarios_api:diagram": api_post(AUTHOR_API_INVALID),
    "scenarios_api:detail": any_(AUTHOR_API, kwargs=_scenario),
    "scenarios_api:draft": any_(
        AUTHOR_API_INVALID, kwargs=_scenario, method="put", json=True, data={}
    ),
    "scenarios_api:publish": api_post(AUTHOR_API, kwargs=_scenario),
    "scenarios_api:unpublish": api_post(AUTHOR_API, kwargs=_scenario),
    "scenarios_api:clone": api_post(AUTHOR_API_INVALID, kwargs=_scenario),
    "scenarios_api:dry_run": api_post(AUTHOR_API_INVALID, kwargs=_scenario),
    # --- role-play -----------------------------------------------------------------------
    "roleplay:index": any_(TRAINEE_PAGE),
    "certification:index": any_(TRAINEE_PAGE),
    # The track's exam cannot start here (an exam is in progress): refused with a message.
    "certification:attempt_begin": any_(
        TRAINEE_POST, method="post", kwargs=lambda w, side: {"slug": w.track.slug}
    ),
    "certification:typing_test": any_(TRAINEE_PAGE),
    "certification:typing_start": any_((L, 201, 201, 403, 403, 403, 201), method="post"),
    # An empty object finishes one's own run (nothing typed); anyone else's run is a 404.
    "certification:typing_finish": owned(
        (L, 200, 404, 403, 403, 403, 404),
        (L, 404, 200, 403, 403, 403, 404),
        method="post",
        json=True,
        kwargs=lambda w, side: {"pk": w.typing_tests[side].pk},
    ),
    "certification:typing_result": owned(
        OWN_BY_TRAINEE,
        OTHER_BY_TRAINEE,
        kwargs=lambda w, side: {"pk": w.typing_tests[side].pk},
    ),
    # Certification tracks: authored by trainers and administrators.
    "certification:track_list": any_(AUTHOR_PAGE),
    "certification:track_new": any_(AUTHOR_PAGE),
    "certification:track_validate": any_(
        (L, 403, 403, 400, 400, 403, 400), method="post", json=True, data={}
    ),
    "certification:track_edit": any_(AUTHOR_PAGE, kwargs=lambda w, side: {"slug": w.track.slug}),
    "certification:track_publish": any_(
        AUTHOR_POST, method="post", kwargs=lambda w, side: {"slug": w.track.slug}
    ),
    # A certificate: its holder's alone; revoking: HR for their cohorts, administrators.
    "certification:certificate_detail": owned(OWN_CERT, OTHER_CERT, kwargs=_certificate),
    "certification:certificate_pdf": owned(OWN_CERT, OTHER_CERT, kwargs=_certificate),
    "certification:certificate_credential": owned(
        OWN_CERT, OTHER_CERT, kwargs=lambda w, side: {**_certificate(w, side), "fmt": "jwt"}
    ),
    # An empty reason: refused with 400 (nothing revoked) once the role may revoke at all.
    "certification:certificate_revoke": owned(
        (L, 403, 403, 403, 403, 400, 400),
        (L, 403, 403, 403, 403, 404, 400),
        kwargs=_certificate,
        method="post",
        data={},
    ),
    "certification:certificates_expiring": any_(RESULTS_PAGE),
    # Public: anyone can check a certificate by its code, and fetch the signing key.
    "certification:verify": any_(
        PUBLIC, kwargs=lambda w, side: {"code": w.certificates["own"].code}, name_public=True
    ),
    "jwks": any_(PUBLIC),
    "jwk": any_(PUBLIC, kwargs=lambda w, side: {"thumbprint": key_thumbprint()}),
    # Results: trainers (their cohorts), HR and administrators; trainees never.
    "certification:results": any_(RESULTS_PAGE),
    "certification:results_calibration": any_(RESULTS_PAGE),
    "certification:results_export": any_(RESULTS_PAGE, kwargs=lambda w, side: {"fmt": "csv"}),
    "certification:results_export_sessions": any_(
        RESULTS_PAGE, kwargs=lambda w, side: {"fmt": "csv"}
    ),
    "certification:results_trainee": owned(
        RESULTS_OWN, RESULTS_OTHER, kwargs=lambda w, side: {"pk": w.trainee_of(side).pk}
    ),
    "certification:results_session": owned(
        RESULTS_OWN,
        RESULTS_OTHER,
        kwargs=lambda w, side: {"pk": w.trainee_of(side).pk, "session_pk": w.sessions[side].pk},
    ),
    # The trainee's own certification record: theirs alone. Roles without the trainee
    # permission get 403; another trainee's attempt (and an administrator, who is no
    # trainee of it) gets 404.
    "certification_api:my_standings": any_(TRAINEE_API),
    "certification_api:my_attempts": any_(TRAINEE_API),
    "certification_api:my_attempt": owned(
        OWN_BY_TRAINEE_API,
        OTHER_BY_TRAINEE_API,
        kwargs=lambda w, side: {"pk": w.certification_attempts[side].pk},
    ),
    "certification_api:my_certificates": any_(TRAINEE_API),
    "certification_api:my_typing_tests": any_(TRAINEE_API),
    "certification_api:results": any_(RESULTS_API),
    "certification_api:trainee_results": any_(RESULTS_API),
    "certification_api:trainee_result": owned(
        RESULTS_OWN_API, RESULTS_OTHER_API, kwargs=lambda w, side: {"pk": w.trainee_of(side).pk}
    ),
    "certification:attempt_result": owned(
        OWN_BY_TRAINEE,
        OTHER_BY_TRAINEE,
        kwargs=lambda w, side: {"pk": w.certification_attempts[side].pk},
    ),
    "roleplay:start": any_(TRAINEE_POST, method="post", kwargs=_scenario),
    "roleplay:exam_begin": any_(TRAINEE_POST, method="post"),
    "roleplay:exam": owned(
        OWN_BY_TRAINEE, OTHER_BY_TRAINEE, kwargs=lambda w, side: {"pk": w.exams[side].pk}
    ),
    "roleplay:session": owned(
        OWN_BY_TRAINEE, OTHER_BY_TRAINEE, kwargs=lambda w, side: {"pk": w.sessions[side].pk}
    ),
    # The report: its trainee, the trainers of the trainee's cohort and administrators
    # (roleplay.view_session); HR sees every cohort but reads no conversations.
    "roleplay:report": owned(
        (L, 200, 404, 200, 404, 404, 200),
        (L, 404, 200, 404, 200, 404, 200),
        kwargs=lambda w, side: {"pk": w.sessions[side].pk},
    ),
    "roleplay:review_queue": any_(AUTHOR_PAGE),
    # A cohort's weakest rules and scenarios: counts, no conversation; whoever sees the
    # cohort's people (its trainers, HR, administrators).
    "roleplay:cohort_weakest": owned(
        (L, 403, 403, 200, 404, 200, 200),
        (L, 403, 403, 404, 200, 200, 200),
        kwargs=lambda w, side: {"pk": w.cohorts[side].pk},
    ),
    "roleplay_api:quick_phrases": any_(TRAINEE_API),
    # --- frame: language, API schema and docs --------------------------------------------
    "set_language": any_((302, 302, 302, 302, 302, 302, 302), method="post"),
    "schema": any_(SIGNED_IN_API),
    "api_docs": any_(SIGNED_IN_API),
    # --- the admin site's own pages (per-model pages: admin_expected) ---------------------
    "admin:index": any_(STAFF_PAGE),
    # Signed-in non-staff users get the form with "not authorised"; staff go to the index.
    "admin:login": any_((200, 200, 200, AI, AI, 200, AI)),
    # Staff are signed out (then the site's sign-in page); others are sent to the index.
    "admin:logout": any_((AI, AI, AI, L, L, AI, L), method="post"),
    "admin:password_change": any_(STAFF_PAGE),
    "admin:password_change_done": any_(STAFF_PAGE),
    "admin:jsi18n": any_(STAFF_PAGE),
    # Without the parameters naming a field the autocomplete refuses (403) everyone.
    "admin:autocomplete": any_((AL, AL, AL, 403, 403, AL, 403)),
    # No model here has a public page of its own ("view on site"): 404 to staff.
    "admin:view_on_site": any_(
        (AL, AL, AL, 404, 404, AL, 404),
        kwargs=lambda w, side: {
            "content_type_id": ContentType.objects.get_for_model(w.cohorts[side]).pk,
            "object_id": w.cohorts[side].pk,
        },
    ),
    "admin:auth_user_password_change": owned(
        (AL, AL, AL, 403, 403, AL, 200),
        (AL, AL, AL, 403, 403, AL, 200),
        kwargs=lambda w, side: {"id": w.trainee_of(side).pk},
    ),
    "path:admin/(?P<url>.*)$": any_(
        (AL, AL, AL, 404, 404, AL, 404), path=lambda w, side: "/admin/no-such-page/"
    ),
}

# --- WebSocket routes (connected with the user in the scope) ------------------------------
WEBSOCKET_ROUTES: dict[str, Entry] = {
    "ws:ws/echo/": any_((REFUSE, ACCEPT, ACCEPT, ACCEPT, ACCEPT, ACCEPT, ACCEPT)),
    # A session's socket: its trainee only.
    "ws:ws/sessions/<int:session_id>/": owned(
        (REFUSE, ACCEPT, REFUSE, REFUSE, REFUSE, REFUSE, REFUSE),
        (REFUSE, REFUSE, ACCEPT, REFUSE, REFUSE, REFUSE, REFUSE),
        path=lambda w, side: f"/ws/sessions/{w.sessions[side].pk}/",
    ),
}

# --- The admin's per-model routes, and its per-app index ----------------------------------
# Routes whose outcome is derived from the admin site's registry instead of a row.
ADMIN_REGISTRY_ROUTES = frozenset({"admin:app_list"})
# Who is staff: accounts.services.user_create.
STAFF_ROLES = frozenset({"trainer", "other_trainer", "admin_user"})
# Which side's cohort each role belongs to (trainee and other_trainee, trainer and
# other_trainer); HR and administrators see every cohort.
ROLE_SIDE = {"trainee": "own", "other_trainee": "other", "trainer": "own", "other_trainer": "other"}


# Which admin rows a staff member reaches: the selectors the pages use decide
# (accounts/admin.py, audit/admin.py). Cohorts and people: the cohorts one trains, or all
# with accounts.view_all_cohorts; rosters: those who onboard; the audit log: those who see
# every cohort. Other models: every row.
def _in_reach(label: str, role: str, side: str) -> bool:
    sees_all = _holds(role, "accounts.view_all_cohorts")
    if label in ("accounts.cohort", "accounts.user"):
        return sees_all or ROLE_SIDE.get(role) == side
    if label == "accounts.onboardingbatch":
        return _holds(role, "accounts.onboard_users")
    if label == "audit.auditevent":
        return sees_all
    return True


# Records the admin only shows: nobody adds or deletes them there.
ADMIN_NO_ADD = frozenset(
    {
        "accounts.onboardingbatch",
        "audit.auditevent",
        "axes.accessattempt",
        "axes.accesslog",
        "axes.accessfailurelog",
    }
)
ADMIN_NO_DELETE = frozenset({"audit.auditevent"})
# The admin's per-model pages that show one object.
ADMIN_OBJECT_ACTIONS = frozenset({"change", "history", "delete", "redirect"})


def _holds(role: str, perm: str) -> bool:
    if role == "admin_user":  # administrators are superusers
        return True
    return perm in role_permissions()[Role(_role_value(role))]


def _role_value(role: str) -> str:
    return {"other_trainee": "trainee", "other_trainer": "trainer", "admin_user": "admin"}.get(
        role, role
    )


def admin_expected(label: str, action: str, role: str, side: str) -> Outcome:
    """What ``role`` gets from the admin page ``action`` of model ``label`` ("app.model")
    for the object of ``side``: derived from the role's declared permissions, who is staff,
    and which models are scoped to cohorts."""
    if role not in STAFF_ROLES:
        return ADMIN_LOGIN
    if action == "redirect":  # <object_id>/ only points at the change page
        return 302
    app_label, model_name = label.split(".")
    can_view = _holds(role, f"{app_label}.view_{model_name}") or _holds(
        role, f"{app_label}.change_{model_name}"
    )
    in_reach = _in_reach(label, role, side)
    if action == "changelist":
        return 200 if can_view else 403
    if action == "add":
        allowed = _holds(role, f"{app_label}.add_{model_name}") and label not in ADMIN_NO_ADD
        return 200 if allowed else 403
    if action == "delete":
        allowed = _holds(role, f"{app_label}.delete_{model_name}") and label not in ADMIN_NO_DELETE
        return 403 if not allowed else 200 if in_reach else ADMIN_INDEX
    if action == "history":  # Django's history view looks the object up first
        return ADMIN_INDEX if not in_reach else 200 if can_view else 403
    return 403 if not can_view else 200 if in_reach else ADMIN_INDEX  # change


def admin_app_expected(app_label: str, role: str, labels: list[str]) -> Outcome:
    """An app's admin index: 200 to staff who may view one of its registered models."""
    if role not in STAFF_ROLES:
        return ADMIN_LOGIN
    if any(admin_expected(label, "changelist", role, "own") == 200 for label in labels):
        return 200
    return 404


# --- Known defects ------------------------------------------------------------------------
# Cases that fail today for a reason outside the pages, APIs and selectors; they are
# expected to fail (strictly: once fixed, the mark must go).
KNOWN_DEFECTS: dict[tuple[str, str], str] = {}
