"""The API's routes, one router per resource; :func:`nlp.serve.app.create_app` mounts them in order.

Each route validates its parameters (pydantic, in the signature), calls one function of
:mod:`nlp.store.queries` or the pipeline, and returns the result; errors are raised as
:class:`~nlp.errors.NlpError` subclasses and shaped by the app's one handler.
"""
