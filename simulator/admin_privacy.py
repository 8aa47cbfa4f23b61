"""The admin's delete confirmation without other people's names.

Deleting a shop, course, module, quiz or question takes the trainees' records that depend
on it (quiz answers, drills) with it, and Django's confirmation page lists each of them by
name: a trainer would read the names of trainees of every cohort. Staff who may not see
every cohort are shown the object itself and how many records of each kind go with it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class DeleteCountsOnly:
    """A ``ModelAdmin`` mixin: dependent records counted, not named, on the delete page,
    for staff without ``accounts.view_all_cohorts``."""

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if request.user.has_perm("accounts.view_all_cohorts"):
            return deleted, counts, perms_needed, protected
        if protected:
            protected = [
                _("%(count)d related records that cannot be deleted") % {"count": len(protected)}
            ]
        return [str(obj) for obj in objs], counts, perms_needed, protected
