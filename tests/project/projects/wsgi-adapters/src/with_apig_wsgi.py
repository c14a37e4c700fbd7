from apig_wsgi import make_lambda_handler

from wsgi_app import application

handler = make_lambda_handler(application)
