"""A log excerpt full of credentials, and the secrets no report may show."""

SECRET_LINES = [
    "(req-secret-0001) HTTP Method: GET, Resource Path: /login",
    "(req-secret-0001) Method request headers: {X-Api-Key=k3y-value, "
    "Cookie=session=c00kie, Authorization=Basic dXNlcjpwYXNz}",
    '(req-secret-0001) Endpoint response body before transformations: {"statusCode": 200, '
    '"body": {"token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", '
    '"password": "hunter2"}, "multiValueHeaders": {"Cookie": ["m1=mv-c00kie", "m2=x"]}, '
    '"headers": {"Set-Cookie": "sid=s3t-c00kie", '
    '"X-Note": "a \\\\"quoted\\\\" word"}}',
    "(req-secret-0001) Execution failed due to configuration error: "
    "Malformed Lambda proxy response",
    "(req-secret-0001) Method completed with status: 502",
]
SECRETS = (
    "k3y-value",
    "c00kie",
    "dXNlcjpwYXNz",
    "eyJhbGci",
    "hunter2",
    "s3t-c00kie",
    "mv-c00kie",
)
