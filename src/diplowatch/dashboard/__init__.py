"""The web dashboard: HTML pages over the same view functions as the JSON API.

:mod:`diplowatch.dashboard.pages` holds the routes (served with the API by
:func:`diplowatch.web.create_app`); ``templates/`` the Jinja2 templates
(autoescaped) and ``static/`` the scripts (``map.js``; ``chart.js``, the
reusable SVG bar chart, and ``timeline.js``, which draws the timeline chart with
it), the style and the vendored topojson-client. The map geometry it draws is package data of
:mod:`diplowatch.data`, served beside ``static/`` at the same ``/static/vendor/``
URL: the dashboard loads nothing from elsewhere.
"""

from diplowatch.dashboard import stance as _stance  # noqa: E402,F401 - registers /stance/{target}
