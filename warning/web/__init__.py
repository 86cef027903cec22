"""The web interface: server-rendered pages for the analysts (board, queue, item, material,
feeds, admin, login), in Chinese and English, beside the REST API in one app.

- :mod:`~warning.web.app`: the app (pages + API + static files + security headers);
- :mod:`~warning.web.auth`: the signed-in visitor, CSRF and role checks;
- :mod:`~warning.web.security`: security headers and cookies;
- :mod:`~warning.web.i18n` and :mod:`~warning.web.templating`: languages, formats, templates;
- :mod:`~warning.web.board`, :mod:`~warning.web.levels`, :mod:`~warning.web.charts`: what the
  pages show, and the caches that keep them fast;
- :mod:`~warning.web.routes`: one module per page.

Like the API, this layer turns domain errors into answers and owns no business rule: the
pages call the same services (``warning.review``, ``warning.accounts``...) and jobs.
"""
