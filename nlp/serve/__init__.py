"""Stage 6, serving: the read-only HTTP API over the store, and the dashboard page.

:func:`nlp.serve.app.create_app` builds the FastAPI app from one router per resource
(:mod:`nlp.serve.routes`), with request and response shapes in :mod:`nlp.serve.schemas` and one
error handler in :mod:`nlp.serve.http_errors`. Nothing here is imported unless the API is served
(the ``api`` extra).
"""
