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
        {
            "order": 70,
            "label": _("Typing test"),
            "url_name": "certification:typing_test",
            "permission": "accounts.act_as_trainee",
        },
        {
            "order": 95,
            "label": _("Certification tracks"),
            "url_name": "certification:track_list",
            "permission": "certification.change_track",
        },
        {
            "order": 130,
            "label": _("Certification results"),
            "url_name": "certification:results",
            "permission": "certification.view_results",
        },
        {
            "order": 135,
            "label": _("Certificates expiring soon"),
            "url_name": "certification:certificates_expiring",
            "permission": "certification.view_certificate",
        },
    ]
    role_permissions = {
        Role.TRAINER: _AUTHORING | _RESULTS,
        Role.HR: _RESULTS | {"certification.revoke_certificate"},
        Role.ADMIN: _AUTHORING | _RESULTS | {"certification.revoke_certificate"},
    }

    def ready(self) -> None:
        from roleplay.signals import exam_scored

        exam_scored.connect(_exam_scored, dispatch_uid="certification.exam_scored")


def _exam_scored(sender, exam_id: int, **kwargs) -> None:
    """An exam's conversations are all scored: if it was a certification exam, decide it
    (in the worker; sent after the commit that stored the last report)."""
    from certification.selectors.attempts import attempt_for_exam
    from certification.tasks import decide_task

    attempt = attempt_for_exam(exam_id)
    if attempt is not None and attempt.status != attempt.Status.DECIDED:
        decide_task.delay(attempt.pk)
