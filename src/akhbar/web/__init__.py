"""The web app: portal pages (Jinja2) and the JSON API, both thin callers of services."""

from akhbar.web.app import create_app

__all__ = ["create_app"]
