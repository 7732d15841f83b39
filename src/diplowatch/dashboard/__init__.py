"""The web dashboard: HTML pages over the same view functions as the JSON API.

:mod:`diplowatch.dashboard.pages` holds the routes (mounted by
:func:`diplowatch.api.create_app`); ``templates/`` the Jinja2 templates
(autoescaped) and ``static/`` the script, the style and the vendored map
geometry: the dashboard loads nothing from elsewhere.
"""
