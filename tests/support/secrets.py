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
    # an AWS key id and a JWT in the path, a result's cookie list, cookies in a repr
    "(req-secret-0002) HTTP Method: GET, Resource Path: /keys/AKIAQWERTYUIOPASDFGH/"
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwYXRoIn0.cGF0aHNpZw",
    "(req-secret-0002) Endpoint response headers: {x-amzn-RequestId=bbbbbbbb-2222-4222-8222-"
    "000000000002}",
    '(req-secret-0002) Endpoint response body before transformations: {"statusCode": 200, '
    '"cookies": ["sid=l1stCk", "b=x"], "body": {"a": 1}}',
    "(req-secret-0002) Execution failed due to configuration error: "
    "Malformed Lambda proxy response",
    "(req-secret-0002) Method completed with status: 502",
    "2026-11-20T10:01:05.001Z START RequestId: bbbbbbbb-2222-4222-8222-000000000002 "
    "Version: $LATEST",
    "2026-11-20T10:01:05.002Z\tbbbbbbbb-2222-4222-8222-000000000002\t[ERROR] ValueError: "
    "bad event {'headers': {'Cookie': 'a=r3prCk'}, 'cookies': ['sid=r3prList']}",
    "2026-11-20T10:01:05.003Z END RequestId: bbbbbbbb-2222-4222-8222-000000000002",
]
SECRETS = (
    "k3y-value",
    "c00kie",
    "dXNlcjpwYXNz",
    "eyJhbGci",
    "hunter2",
    "s3t-c00kie",
    "mv-c00kie",
    "AKIAQWERTYUIOPASDFGH",
    "eyJzdWIiOiJwYXRoIn0",
    "l1stCk",
    "r3prCk",
    "r3prList",
)
