"""The route table, one router per resource; :func:`akhbar.web.app.create_app` includes them in order."""
