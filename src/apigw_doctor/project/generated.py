"""Handler modules a deployment tool generates at package time, written here so the
app behind them runs as it does on Lambda.

serverless-wsgi (``plugins: [serverless-wsgi]``, ``handler: wsgi_handler.handler``,
``custom.wsgi.app: app.app``) puts a ``wsgi_handler.py`` in the package that imports
the WSGI app and hands every event to ``serverless_wsgi.handle_request(app, event,
context)``, from the ``serverless-wsgi`` package on PyPI.  The module written here
does the same with the same function, so the response checked is the one that
package builds: the app must be importable, and ``serverless-wsgi`` installed in
the Python that runs the handlers (when it is not, the import fails and the
function is *not checked here*, with the ``pip install serverless-wsgi`` line).
"""

from __future__ import annotations

#: the generated module: the app's [folder/]module.attribute and the extra text
#: media types (custom.wsgi.textMimeTypes) are filled in
_WSGI_HANDLER = '''\
"""serverless-wsgi's handler for custom.wsgi.app {app!r}, as its plugin generates it
at package time (written by apigw-doctor)."""

import importlib
import os
import sys

import serverless_wsgi

_APP = {app!r}


def _load_app():
    module, _, attribute = _APP.rpartition(".")
    folder, _, module = module.rpartition("/")
    if folder:  # custom.wsgi.app: api/app.app imports app from the api folder
        root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
        sys.path.insert(0, os.path.join(root, folder))
    return getattr(importlib.import_module(module), attribute)


serverless_wsgi.TEXT_MIME_TYPES.extend({text_types!r})
wsgi_app = _load_app()


def handler(event, context):
    return serverless_wsgi.handle_request(wsgi_app, event, context)
'''


def serverless_wsgi_handler(app: str, text_types: list[str]) -> str:
    """The source of serverless-wsgi's generated handler module for ``app``."""
    return _WSGI_HANDLER.format(app=app, text_types=text_types)
