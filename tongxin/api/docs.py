"""The API docs page, served with no network: the county's server may have none.

Ninja renders Swagger UI from its own static files when `ninja` is an installed app and falls
back to a CDN otherwise; this page never falls back.
"""

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger, _csrf_needed


class OfflineSwagger(Swagger):
    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        # Swagger UI otherwise asks validator.swagger.io about the schema.
        "validatorUrl": None,
    }

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        if "ninja" not in settings.INSTALLED_APPS:
            raise ImproperlyConfigured(
                "The API docs page needs 'ninja' in INSTALLED_APPS to serve Swagger UI locally."
            )
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": _csrf_needed(api),
        }
        return render(request, self.template, context)
