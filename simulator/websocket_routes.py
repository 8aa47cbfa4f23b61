"""All WebSocket routes of the project, gathered from the apps that own the consumers."""

from diagnostics.routing import websocket_urlpatterns as diagnostics_routes
from roleplay.routing import websocket_urlpatterns as roleplay_routes

websocket_urlpatterns = [*diagnostics_routes, *roleplay_routes]
