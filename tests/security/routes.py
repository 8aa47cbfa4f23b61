"""Every route the project serves, found by walking the URL configuration and the ASGI
application, so a route added anywhere shows up here without being listed by hand."""

from __future__ import annotations

import re
from dataclasses import dataclass

from channels.auth import AuthMiddleware
from channels.routing import URLRouter
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

# The actions Django's admin gives every registered ModelAdmin (ModelAdmin.get_urls).
ADMIN_MODEL_ACTIONS = ("changelist", "add", "change", "history", "delete")


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name"; unnamed routes: "path:<full pattern>"
    pattern: str  # the full pattern, for messages


def _pattern_text(pattern) -> str:
    return str(pattern)


def url_routes() -> list[Route]:
    """The HTTP routes of ``ROOT_URLCONF``: includes, namespaces and the admin walked down."""
    found: list[Route] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry.url_patterns, prefix + _pattern_text(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                full = prefix + _pattern_text(entry.pattern)
                if entry.name:
                    key = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    key = f"path:{full}"
                found.append(Route(key=key, pattern=full))

    walk(get_resolver().url_patterns, "", None)
    return found


def _wrapped(layer):
    """The application an ASGI middleware wraps (Channels' middleware say ``inner``, the
    origin validator ``application``)."""
    for name in ("inner", "application", "app"):
        if getattr(layer, name, None) is not None:
            return getattr(layer, name)
    raise AssertionError(f"{type(layer).__name__} wraps no application this test can see")


def _websocket_router(application) -> URLRouter:
    """The URL router of the ASGI application's WebSocket stack: the protocol router, the
    origin check and the session/auth middleware are unwrapped (tests put the user in the
    scope themselves, so they start below the auth middleware)."""
    layer = application.application_mapping["websocket"]
    below_auth = None
    seen = 0
    while not isinstance(layer, URLRouter):
        seen += 1
        assert seen < 20, "no URLRouter found in the WebSocket stack"
        if isinstance(layer, AuthMiddleware):
            below_auth = layer.inner
        layer = _wrapped(layer)
    return layer if below_auth is None else below_auth


def websocket_application():
    """What a WebSocket handshake reaches once the user is known (scope["user"] set)."""
    from simulator.asgi import application

    return _websocket_router(application)


def websocket_routes() -> list[Route]:
    """WebSocket routes of ``simulator.asgi.application`` (nested routers walked down)."""
    from simulator.asgi import application

    layer = application.application_mapping["websocket"]
    while not isinstance(layer, URLRouter):
        layer = _wrapped(layer)
    found: list[Route] = []

    def walk(router: URLRouter, prefix: str) -> None:
        for route in router.routes:
            full = prefix + _pattern_text(route.pattern)
            if isinstance(route.callback, URLRouter):
                walk(route.callback, full)
            else:
                found.append(Route(key=f"ws:{full}", pattern=full))

    walk(layer, "")
    return found


def admin_models() -> list[tuple[str, str]]:
    """(app_label, model_name) of every model registered with the admin site."""
    return sorted((m._meta.app_label, m._meta.model_name) for m in admin.site._registry)


def admin_model_route_key(route: Route) -> tuple[str, str, str] | None:
    """(app_label, model_name, action) when ``route`` is one the admin makes for every
    registered model; None for any other route. The unnamed ``<object_id>/`` route (a
    redirect to the change page) is action "redirect"."""
    for app_label, model_name in admin_models():
        for action in ADMIN_MODEL_ACTIONS:
            if route.key == f"admin:{app_label}_{model_name}_{action}":
                return app_label, model_name, action
        if re.fullmatch(rf"path:admin/{app_label}/{model_name}/<path:object_id>/", route.key):
            return app_label, model_name, "redirect"
    return None
