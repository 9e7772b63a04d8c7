from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _

from tongxin.security.throttle import LOCKED_ATTRIBUTE


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, saying so when too many failures have locked the login for a while."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            minutes = getattr(self.request, LOCKED_ATTRIBUTE, None)
            if minutes:
                raise forms.ValidationError(
                    _("登录失败次数过多，已暂时锁定，请 %(minutes)s 分钟后再试。")
                    % {"minutes": minutes},
                    code="locked",
                ) from None
            raise
