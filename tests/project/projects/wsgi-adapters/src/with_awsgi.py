import awsgi

from wsgi_app import application


def handler(event, context):
    return awsgi.response(application, event, context)
