"""A plain WSGI app (apigw-doctor's own fixture)."""

import json

from shop_data import describe


def application(environ, start_response):
    body = json.dumps({"path": environ["PATH_INFO"], "item": describe()}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
