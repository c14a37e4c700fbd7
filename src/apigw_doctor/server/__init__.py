"""``apigw-doctor serve``: a local API Gateway in front of Python handlers."""

from .app import LocalGateway, ServerConfig, create_app
from .routes import Endpoint, RouteTable

__all__ = ["Endpoint", "LocalGateway", "RouteTable", "ServerConfig", "create_app"]
