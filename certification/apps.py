from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

# Trainers and administrators write and publish tracks.
_AUTHORING = {
    f"certification.{action}_{model}"
    for model in ("track", "trackversion")
    for action in ("view", "add", "change")
} | {"certification.publish_track"}
# Who reads certification results: trainers (their cohorts), HR and administrators.
_RESULTS = {
    "certification.view_results",
    "certification.view_certificationattempt",
    "certification.view_certificate",
    "certification.view_typingtest",
}


class CertificationConfig(AppConfig):
    """Tracks, typing tests, certification exams and their decisions, certificates, and HR's
    view of results. It reads courses, role-play and scoring; no app imports it."""

    name = "certification"
    verbose_name = _("Certification")

    # Read by accounts.navigation; orders between the trainee's and the desk's entries.
    menu_entries = [
        {
            "order": 60,
            "label": _("Certification"),
            "url_name": "certification:index",
            "permission": "accounts.act_as_trainee",
        },
    ]
    role_permissions = {
        Role.TRAINER: _AUTHORING | _RESULTS,
        Role.HR: _RESULTS | {"certification.revoke_certificate"},
        Role.ADMIN: _AUTHORING | _RESULTS | {"certification.revoke_certificate"},
    }
