from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import users_with_role


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (.csv or .xlsx)"),
        help_text=_(
            "Columns: 姓名, 工号, 店铺 (an existing shop's name, or empty), 批次. "
            "The first row is the header."
        ),
    )


class CohortStaffForm(forms.Form):
    trainers = forms.ModelMultipleChoiceField(
        label=_("Trainers"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hr_staff = forms.ModelMultipleChoiceField(
        label=_("HR contacts"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Read per form, not at import: staff added since start-up are offered, and no
        # command needs the database's tables to load the URL configuration.
        super().__init__(*args, **kwargs)
        self.fields["trainers"].queryset = users_with_role(Role.TRAINER)
        self.fields["hr_staff"].queryset = users_with_role(Role.HR)


class CohortCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.SlugField(label=_("Code"), max_length=50)
    shop = forms.CharField(label=_("Shop"), max_length=100, required=False)
    starts_on = forms.DateField(
        label=_("Starts on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password, the validators of AUTH_PASSWORD_VALIDATORS), refusing
    the old password as the new one: a temporary password someone else knows must go."""

    @sensitive_variables("old", "new")
    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new:
            self.add_error(
                "new_password1",
                ValidationError(
                    _("The new password must differ from the current one."), code="unchanged"
                ),
            )
        return cleaned
