"""ASGI entry point: Django for HTTP, Channels consumers for WebSockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "simulator.settings")
# Django must be set up before importing anything that touches models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from accounts.password_required import PasswordChangeRequiredGuard  # noqa: E402
from scoring import warm_up  # noqa: E402
from simulator.websocket_routes import websocket_urlpatterns  # noqa: E402

# Before the first connection, not inside a trainee's first reply (scoring.warm_up).
warm_up()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(PasswordChangeRequiredGuard(URLRouter(websocket_urlpatterns)))
        ),
    }
)
