"""The access matrix: every URL the project routes (pages and API operations, found by walking
the URL resolver, so a new app's URLs are in it without a change here) requested by every role
and by a user of another unit, with objects outside the user's area for each {id}.

Used by tongxin/demo/tests/with_demo/test_access_matrix.py on the loaded demo county."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

# Whole areas left out, each with its reason (asserted small by the test).
SKIPPED_PREFIXES = {
    "admin/": "Django's admin: no personal-data model (see test_superuser_opens_no_personal_data)",
    "accounts/": "login, logout and password pages: no object, no personal data",
    "i18n/": "language switch: no object",
    "static/": "static files",
    "media/": "no media URL is served",
}
# Route words that name a model differently.
SYNONYMS = {
    "resident": "person",
    "residents": "person",
    "people": "person",
    "round": "testround",
    "rounds": "testround",
    "testing": "testround",
    "task": "doortask",
    "request": "helprequest",
    "r": "helprequest",
    "run": "greenrun",
    "runs": "greenrun",
    "team": "samplingteam",
    "teams": "unit",
    "job": "importjob",
    "imports": "importjob",
    "zones": "zonedesignation",
    "directives": "directive",
    "targets": "directivetarget",
    "tasks": "directivetask",
    "boxes": "box",
    "recalls": "recall",
    "passenger": "passenger",
    "point": "testpoint",
    "points": "testpoint",
    "units": "unit",
    "notifications": "message",
    "deliveries": "delivery",
    "places": "place",
    "untested": "place",
    "slot": "planslot",
    "plan": "roundplan",
    "attachment": "attachment",
    "files": "attachment",
    "unit": "unit",
    "place": "place",
    "batches": "batch",
    "entries": "transferentry",
    "volunteers": "member",
    "staff": "user",
    "branches": "partybranch",
    "organisations": "volunteerorg",
}
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


@dataclass
class Route:
    route: str
    callback: Any
    params: list[tuple[str, str]]  # (converter, name)


def routes() -> Iterator[Route]:
    def walk(resolver: URLResolver, prefix: str) -> Iterator[Route]:
        for pattern in resolver.url_patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, text)
            elif isinstance(pattern, URLPattern):
                params = [(m["conv"] or "str", m["name"]) for m in PARAM.finditer(text)]
                yield Route(text.lstrip("^").rstrip("$"), pattern.callback, params)

    yield from walk(get_resolver(), "")


def _scoped_models() -> dict[str, type[models.Model]]:
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models():
        if hasattr(model._default_manager, "visible_to"):
            found[str(model._meta.model_name)] = model
    return found


def _base_of(route: str, name: str) -> str:
    if name.endswith("_pk"):
        return name[:-3]
    if name.endswith("_id"):
        return name[:-3]
    if name in ("pk", "number"):
        before = route.split("<", 1)[0] if route.count("<") == 1 else _segment_before(route, name)
        words = [w for w in re.split(r"[/\-.]", before) if w]
        return words[-1] if words else name
    return name


def _segment_before(route: str, name: str) -> str:
    head = route.split(f":{name}>", 1)[0] if f":{name}>" in route else route.split(f"<{name}>")[0]
    head = head.rsplit("<", 1)[0]
    return head


def app_of(callback: Any) -> str:
    module = getattr(callback, "__module__", "") or ""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "tongxin" else ""


def models_for(route: str, name: str, app_label: str = "") -> list[type[models.Model]]:
    scoped = _scoped_models()
    everything = {str(m._meta.model_name): m for m in apps.get_models()}
    base = _base_of(route, name).lower()
    raw = base.replace("-", "").replace("_", "")
    wanted = SYNONYMS.get(base, base).replace("-", "").replace("_", "")
    singular = wanted[:-1] if wanted.endswith("s") else wanted
    raw_singular = raw[:-1] if raw.endswith("s") else raw
    if app_label:
        own = list(apps.get_app_config(app_label).get_models())
        for key in (raw, raw_singular, wanted, singular):
            found = [m for m in own if m._meta.model_name == key]
            found = found or [m for m in own if str(m._meta.model_name).endswith(key)]
            if found:
                return found[:1]
    for key in (wanted, singular):
        if key in scoped:
            return [scoped[key]]
    for key in (wanted, singular):
        if key in everything:
            return [everything[key]]
    return [m for k, m in everything.items() if k.endswith(singular)][:1]


@dataclass
class Filled:
    url: str
    note: str = ""


@dataclass
class Plan:
    urls: list[Filled] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def outside_value(model: type[models.Model], user: Any, field_name: str = "pk") -> Any:
    """The key (or `field_name`) of an object of this model the user may not see, else of
    any object of it."""
    manager: Any = model._default_manager
    if hasattr(manager, "visible_to"):
        visible = manager.visible_to(user).values("pk")
        other = manager.exclude(pk__in=visible).order_by("pk").values_list(field_name, flat=True)
        if other.first() is not None:
            return other.first()
    return manager.order_by("pk").values_list(field_name, flat=True).first()


def plan(user: Any, string_values: dict[str, str]) -> Plan:
    result = Plan()
    for route in routes():
        skip = next((r for p, r in SKIPPED_PREFIXES.items() if route.route.startswith(p)), None)
        if skip:
            continue
        url = route.route
        ok = True
        for conv, name in route.params:
            target = f"<{conv}:{name}>" if f"<{conv}:{name}>" in url else f"<{name}>"
            if name in string_values:
                url = url.replace(target, string_values[name])
                continue
            candidates = models_for(route.route, name, app_of(route.callback))
            value = None
            for model in candidates:
                field_names = {f.name for f in model._meta.concrete_fields}
                value = outside_value(model, user, name if name in field_names else "pk")
                if value is not None:
                    break
            if value is None:
                result.skipped[route.route] = f"no object for <{name}>"
                ok = False
                break
            url = url.replace(target, str(value))
        if ok:
            result.urls.append(Filled("/" + url))
    return result
