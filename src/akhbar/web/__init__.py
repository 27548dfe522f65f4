"""The web app: portal pages (Jinja2), feeds, the JSON API and the newsroom, thin callers of services.

:func:`create_app` puts the store, cache, renderers, settings and grouping on ``app.state``;
:mod:`akhbar.web.dependencies` hands them to the routes (one router per resource in
:mod:`akhbar.web.routes`) through FastAPI's ``Depends``, with the signed-in editor, roles and CSRF.
"""

from akhbar.web.app import create_app

__all__ = ["create_app"]
