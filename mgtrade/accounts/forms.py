"""The sign-in form: the "wrong username or password" error belongs to both fields."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

LOGIN_ERRORS_ID = "login-errors"  # the box registration/login.html renders the error in


class LoginForm(AuthenticationForm):
    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            # Django's error is form-wide; tie it to the fields a screen reader is in.
            for name in ("username", "password"):
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": LOGIN_ERRORS_ID}
                )
            raise
