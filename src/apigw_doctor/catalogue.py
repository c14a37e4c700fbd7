"""The one catalogue of finding codes, shared by the rules core, lint, logs and audit.

Like pyflakes' ``messages.py``: each code is one row with its text, so a code
means the same thing wherever it is reported and a newcomer finds all of them
here.  Rule ids point into ``shared/spec/proxy-rules.md``; the confidence says
how sure we are of the AWS behaviour behind the row, and is shown to users.

Codes are stable: never renumber a row, retire it instead.
"""

from __future__ import annotations

import json
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning", "info"]
Confidence = Literal["recorded", "observed", "documented", "peer", "unknown"]

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
CONFIDENCES: tuple[Confidence, ...] = ("recorded", "observed", "documented", "peer", "unknown")


class Entry(NamedTuple):
    """One catalogue row: what a code means, before it is filled in."""

    code: str
    slug: str
    severity: Severity
    rule: str
    confidence: Confidence
    message: str
    fix: str


class Finding(NamedTuple):
    """A problem found in one place: a catalogue row with its blanks filled in."""

    code: str
    severity: Severity
    rule: str
    confidence: Confidence
    message: str
    fix: str

    def as_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "rule": self.rule,
            "confidence": self.confidence,
            "message": self.message,
            "fix": self.fix,
        }


_ROWS: tuple[Entry, ...] = (
    # -- shape of the result (R1, R2, H3, V1) ---------------------------------
    Entry(
        "GW101",
        "result-not-object",
        "error",
        "R1",
        "recorded",
        "the function returned {value}, not a JSON object; API Gateway "
        "rejects it as a malformed Lambda proxy response",
        'return {{"statusCode": 200, "headers": {{"Content-Type": '
        '"application/json"}}, "body": json.dumps(result)}}',
    ),
    Entry(
        "GW102",
        "unknown-top-level-key",
        "error",
        "R2",
        "recorded",
        "top-level key {key} is not allowed in a REST proxy response (allowed: "
        "statusCode, headers, multiValueHeaders, body, isBase64Encoded)",
        "remove {key} from the returned dict, or move it into the JSON body",
    ),
    Entry(
        "GW103",
        "unknown-key-ignored",
        "info",
        "H3",
        "peer",
        "top-level key {key} is ignored by HTTP APIs (payload 1.0)",
        "remove {key}, or move it into the JSON body if the client needs it",
    ),
    Entry(
        "GW104",
        "unknown-key-ignored-v2",
        "info",
        "V1",
        "unknown",
        "top-level key {key} is not part of the payload 2.0 response format; "
        "it is assumed to be ignored (unverified)",
        "remove {key}, or move it into the JSON body if the client needs it",
    ),
    Entry(
        "GW105",
        "base64encoded-alias",
        "warning",
        "R2",
        "peer",
        "key 'base64Encoded' is accepted by SAM CLI, but AWS is only known to "
        "take 'isBase64Encoded'",
        'rename it: "isBase64Encoded": {value}',
    ),
    Entry(
        "GW106",
        "payload-not-json",
        "error",
        "R1",
        "documented",
        "the invocation payload is not JSON ({problem}); API Gateway cannot "
        "read it as a proxy response",
        "return a dict from the handler and let the runtime serialise it; a "
        "custom runtime must post a JSON object",
    ),
    Entry(
        "GW107",
        "non-finite-number",
        "error",
        "R1",
        "unknown",
        "the payload contains {value}, which is not valid JSON (Python's "
        "json.dumps writes NaN and Infinity); API Gateway is assumed to reject "
        "it as malformed (unverified)",
        "replace NaN/Infinity with null or a string before returning, or use "
        "json.dumps(..., allow_nan=False) to catch it",
    ),
    Entry(
        "GW108",
        "looks-like-function-error",
        "info",
        "F1",
        "documented",
        "the result is Lambda's error object (errorMessage, errorType), which Lambda "
        "sends when the invocation failed: read here as a function error",
        "the function raised, or the runtime failed: see the finding beside this one "
        "(--function-error says so explicitly)",
    ),
    Entry(
        "GW201",
        "status-not-numeric",
        "error",
        "R4",
        "recorded",
        "statusCode is {value}, which is not a number",
        '"statusCode": 200  # an int, or a string of digits such as "201"',
    ),
    Entry(
        "GW202",
        "status-missing-required",
        "error",
        "H2",
        "documented",
        "statusCode is missing; HTTP APIs with payload 1.0 require it",
        'add "statusCode": 200 to the returned dict',
    ),
    Entry(
        "GW203",
        "status-missing-defaulted",
        "info",
        "R3",
        "recorded",
        "statusCode is missing, so the REST API answers 200; an HTTP API "
        "(payload 1.0) would answer 500 for the same result",
        'add "statusCode": 200 to make the status explicit',
    ),
    Entry(
        "GW204",
        "status-unverified-type",
        "warning",
        "R4",
        "unknown",
        "statusCode is {value} ({kind}); AWS's handling is unverified, read here as {status}",
        '"statusCode": {status}  # use an int',
    ),
    Entry(
        "GW205",
        "status-out-of-range",
        "error",
        "R4",
        "unknown",
        "statusCode {value} is outside 100-599, the status codes HTTP defines; read here as "
        "a malformed response, as HTTP servers and clients refuse it (unverified: AWS may "
        "pass it on as is)",
        '"statusCode": 200  # a standard HTTP status code (200-599)',
    ),
    Entry(
        "GW207",
        "status-informational",
        "error",
        "R4",
        "unknown",
        "statusCode {value} is an informational (1xx) status, which is never a final "
        "answer in HTTP: the client would wait for another; read here as a malformed "
        "response (unverified)",
        '"statusCode": 200  # or 204 for no content; a final status is 200-599',
    ),
    Entry(
        "GW206",
        "status-invalid",
        "error",
        "R4",
        "unknown",
        "statusCode is {value} ({kind}), which no HTTP response can carry; "
        "read here as a malformed response (unverified)",
        '"statusCode": 200  # an int from 100 to 599',
    ),
    # -- body (R5, V3) --------------------------------------------------------
    Entry(
        "GW301",
        "body-not-string",
        "error",
        "R5",
        "documented",
        "body is {value}; API Gateway needs a string (the 'forgot json.dumps' bug)",
        '"body": json.dumps({value_short})',
    ),
    Entry(
        "GW302",
        "body-not-string-v2",
        "error",
        "V3",
        "unknown",
        "body is {value} in a payload 2.0 response; read here as "
        "malformed (500); the other reading sends its JSON text (unverified)",
        '"body": json.dumps({value_short})',
    ),
    Entry(
        "GW303",
        "body-serialised-by-url",
        "warning",
        "U3",
        "recorded",
        "body is {value}; a function URL sends its JSON text, but an HTTP or "
        "REST API behind the same function would fail on it",
        '"body": json.dumps({value_short})  # portable to every API kind',
    ),
    # -- headers (R6, R7, R8, R9, V1) -----------------------------------------
    Entry(
        "GW401",
        "headers-not-object",
        "error",
        "R6",
        "peer",
        "{key} is {value}, not an object of header names to values",
        '"{key}": {{"Content-Type": "application/json"}}',
    ),
    Entry(
        "GW402",
        "header-value-invalid",
        "error",
        "R6",
        "peer",
        "header {name} has the value {value}; header values must be strings",
        '"{name}": str({value_short})',
    ),
    Entry(
        "GW403",
        "header-bool-as-text",
        "info",
        "R6",
        "recorded",
        "header {name} is the boolean {value}; the client receives the text {text}",
        '"{name}": "{text}"  # make the string explicit',
    ),
    Entry(
        "GW404",
        "multivalue-not-list",
        "error",
        "R7",
        "recorded",
        "multiValueHeaders[{name}] is {value}, not a list",
        '"multiValueHeaders": {{{name}: [{value_short}]}}',
    ),
    Entry(
        "GW413",
        "header-value-list",
        "error",
        "R6",
        "peer",
        "header {name} is a list ({value}); headers holds one string per name",
        'payload 1.0: "multiValueHeaders": {{{name}: {value_short}}}; payload 2.0: one '
        'comma-separated string (Set-Cookie values go in the "cookies" list)',
    ),
    Entry(
        "GW405",
        "multivalue-item-invalid",
        "error",
        "R7",
        "peer",
        "multiValueHeaders[{name}] holds {value}; each value must be a string",
        "convert each value with str()",
    ),
    Entry(
        "GW406",
        "header-merged",
        "info",
        "R8",
        "recorded",
        "header {name} is set in both headers and multiValueHeaders; the client "
        "receives both values ({joined})",
        "set it in one of the two maps only",
    ),
    Entry(
        "GW407",
        "multivalue-ignored-v2",
        "warning",
        "V1",
        "documented",
        "multiValueHeaders is not part of the payload 2.0 format; these headers "
        "never reach the client: {names}",
        'join repeated values with commas in "headers", and return cookies in "cookies": [...]',
    ),
    Entry(
        "GW408",
        "cookies-invalid",
        "error",
        "V1",
        "unknown",
        "cookies is {value}; payload 2.0 expects a list of strings "
        "(read here as malformed, unverified)",
        '"cookies": ["name=value; Secure; HttpOnly"]',
    ),
    Entry(
        "GW409",
        "content-type-defaulted",
        "info",
        "R9",
        "recorded",
        "no Content-Type header: the client receives Content-Type: application/json",
        '"headers": {{"Content-Type": "text/html"}}  # set the real type',
    ),
    Entry(
        "GW410",
        "content-type-defaulted-http",
        "info",
        "V1",
        "unknown",
        "no Content-Type header: HTTP APIs are reported to send {default} (unverified)",
        '"headers": {{"Content-Type": "application/json"}}  # set the real type',
    ),
    Entry(
        "GW412",
        "header-name-invalid",
        "error",
        "R6",
        "unknown",
        "header name {name} is not a valid HTTP header name (space, colon, line break or "
        "non-ASCII); read here as a failed integration, as HTTP cannot carry it (unverified: "
        "the other reading drops the header)",
        'use a plain name such as "X-Request-Id" (letters, digits and -)',
    ),
    Entry(
        "GW414",
        "header-value-control-character",
        "error",
        "R6",
        "unknown",
        "header {name} has the value {value}, which holds {char}: no HTTP header value can "
        "carry a control character (a line break would split the response); read here as a "
        "failed integration (unverified: the other reading drops or cuts the header)",
        "remove control characters from header values (e.g. value.strip(), or "
        "urllib.parse.quote(value) for text from users)",
    ),
    Entry(
        "GW415",
        "header-value-not-ascii",
        "warning",
        "R6",
        "unknown",
        "header {name} has the value {value}, with characters outside ASCII: HTTP sends "
        "header values as bytes, and how API Gateway encodes these is unverified (sent here "
        "as UTF-8; the other readings are Latin-1, or ? for each such character)",
        "send ASCII only: percent-encode the value (urllib.parse.quote), or for a file name "
        "use filename*=UTF-8''<percent-encoded name> (RFC 6266)",
    ),
    Entry(
        "GW411",
        "content-type-defaulted-url",
        "info",
        "U2",
        "recorded",
        "no Content-Type header: a function URL sends {default}",
        '"headers": {{"Content-Type": "text/html"}}  # set the real type',
    ),
    # -- binary bodies (R10, R11, R12, H4) ------------------------------------
    Entry(
        "GW501",
        "base64-sent-as-text",
        "warning",
        "R10",
        "recorded",
        "isBase64Encoded is true but the API has no binaryMediaTypes, so the "
        "client receives the base64 text, not the bytes",
        "add the media type to the API's binaryMediaTypes (SAM: "
        "Api.BinaryMediaTypes: ['image~1png'])",
    ),
    Entry(
        "GW502",
        "base64-accept-mismatch",
        "warning",
        "R11",
        "recorded",
        "isBase64Encoded is true but the request's first Accept range {accept} "
        "matches none of binaryMediaTypes {types}, so the client receives the "
        "base64 text",
        "clients must send Accept: <a binary media type> as the first range; "
        "or add {accept} to binaryMediaTypes",
    ),
    Entry(
        "GW503",
        "base64-invalid",
        "error",
        "R12",
        "recorded",
        "isBase64Encoded is true and the body is not valid base64 ({problem}); "
        "API Gateway answers 500",
        'body = base64.b64encode(data).decode("ascii")',
    ),
    Entry(
        "GW504",
        "base64-invalid-http",
        "error",
        "H4",
        "unknown",
        "isBase64Encoded is true and the body is not valid base64 ({problem}); "
        "HTTP APIs always decode it, read here as a 500 (unverified)",
        'body = base64.b64encode(data).decode("ascii")',
    ),
    Entry(
        "GW505",
        "base64-flag-not-bool",
        "warning",
        "R10",
        "unknown",
        "isBase64Encoded is {value} ({kind}), not a boolean; read here as {flag} (unverified)",
        '"isBase64Encoded": {flag}',
    ),
    Entry(
        "GW506",
        "base64-unpadded",
        "warning",
        "R12",
        "unknown",
        "the base64 body lacks '=' padding; Java decoders accept that, but it "
        "is unverified for API Gateway",
        'body = base64.b64encode(data).decode("ascii")  # padded',
    ),
    Entry(
        "GW507",
        "binary-type-leading-wildcard",
        "warning",
        "R11",
        "recorded",
        "binaryMediaTypes entry {type} starts with '*', which API Gateway never matches",
        "list the exact types (image/png) or a type wildcard (image/*)",
    ),
    Entry(
        "GW508",
        "no-accept-header",
        "warning",
        "R11",
        "recorded",
        "isBase64Encoded is true but the request has {accept}, so API Gateway "
        "sends the base64 text",
        "clients must send Accept: <a binary media type> as the first range",
    ),
    # -- limits (L1, L2, L3) --------------------------------------------------
    Entry(
        "GW601",
        "lambda-payload-too-large",
        "error",
        "L1",
        "documented",
        "the response payload ({size}) is over Lambda's {limit:,}-byte limit "
        "for synchronous invocations (Function.ResponseSizeTooLarge)",
        "return less data: paginate, compress, or put the object in S3 and "
        "return a pre-signed URL (base64 makes binary bodies 4/3 larger)",
    ),
    Entry(
        "GW602",
        "gateway-payload-too-large",
        "error",
        "L2",
        "documented",
        "the response is {size:,} bytes, over API Gateway's {limit:,}-byte payload limit",
        "return less data: paginate, or return a pre-signed S3 URL",
    ),
    Entry(
        "GW603",
        "integration-timeout",
        "error",
        "L3",
        "documented",
        "the integration took longer than {limit:g} s, so API Gateway answers 504",
        "make the handler faster, run the work asynchronously, or raise the "
        "integration timeout (REST regional/private APIs, by quota request)",
    ),
    Entry(
        "GW604",
        "payload-near-limit",
        "warning",
        "L1",
        "documented",
        "the response payload is {size:,} bytes, {percent}% of Lambda's {limit:,}-byte limit",
        "paginate before the data grows past the limit",
    ),
    # -- function errors (F1, F2, F3) -----------------------------------------
    Entry(
        "GW701",
        "function-error",
        "error",
        "F1",
        "documented",
        "the function raised {error_type}: {error_message}",
        "catch expected exceptions in the handler and return a response such "
        'as {{"statusCode": 400, "body": json.dumps({{"error": str(exc)}})}}',
    ),
    Entry(
        "GW704",
        "json-dumps-unserialisable",
        "error",
        "F1",
        "documented",
        "the function raised TypeError: {error_message} (json.dumps met a {type_name} "
        "it cannot write)",
        "{fix}",
    ),
    Entry(
        "GW702",
        "marshal-error",
        "error",
        "F2",
        "documented",
        "the Lambda runtime cannot serialise the result: {error_message}",
        "convert the value first, e.g. json.dumps(data, default=str) for "
        "Decimal and datetime, base64.b64encode(b).decode() for bytes",
    ),
    Entry(
        "GW703",
        "function-timeout",
        "error",
        "F3",
        "documented",
        "the function timed out: {error_message}",
        "raise the function's timeout (it must stay under the 29 s "
        "integration timeout), or make it faster",
    ),
    # -- the function never answered: gateway- and service-side causes (G1-G6) --
    Entry(
        "GW761",
        "invoke-permission-missing",
        "error",
        "G1",
        "documented",
        "API Gateway may not invoke the function ('Invalid permissions on Lambda "
        "function'): the function never ran, the client gets 500",
        "aws lambda add-permission --function-name FUNCTION --statement-id apigateway "
        "--action lambda:InvokeFunction --principal apigateway.amazonaws.com --source-arn "
        "'arn:aws:execute-api:REGION:ACCOUNT:API_ID/*/*/*' (in a template: an "
        "AWS::Lambda::Permission); for an integration with credentials, give that IAM "
        "role lambda:InvokeFunction on the function",
    ),
    Entry(
        "GW762",
        "lambda-throttled",
        "error",
        "G2",
        "documented",
        "Lambda throttled the invocation ({detail}): the function never ran, and API "
        "Gateway answers 500 instead of passing the 429 on",
        "raise the function's reserved concurrency (or remove a reserved concurrency of 0) "
        "or the account's concurrency quota; watch the Throttles and ConcurrentExecutions "
        "metrics of AWS/Lambda; clients should retry with backoff",
    ),
    Entry(
        "GW763",
        "gateway-throttled",
        "warning",
        "G3",
        "documented",
        "API Gateway throttled the request itself ({detail}): 429 Too Many Requests, "
        "the integration was never called",
        "raise the stage's or the usage plan's rate and burst limits (or the account "
        "quota), or have clients retry with backoff",
    ),
    Entry(
        "GW764",
        "lambda-vpc-network",
        "error",
        "G4",
        "documented",
        "Lambda could not set up the function's VPC networking ({detail}): the function never ran",
        "check the function's subnets (free IP addresses), its security groups, the "
        "account's network interface quota, and that the execution role may manage ENIs "
        "(AWSLambdaVPCAccessExecutionRole)",
    ),
    Entry(
        "GW765",
        "runtime-process-exited",
        "error",
        "G5",
        "documented",
        "the function's runtime process ended before it answered ({detail}): it ran out "
        "of memory, called sys.exit/os._exit, or crashed",
        "compare 'Max Memory Used' with 'Memory Size' in the REPORT line and raise "
        "MemorySize, or stream large data instead of holding it; look for os._exit or "
        "native crashes",
    ),
    Entry(
        "GW766",
        "function-init-error",
        "error",
        "G6",
        "documented",
        "the function could not start ({detail}): every request fails until it is fixed",
        "package the function's dependencies with it (pip install -r requirements.txt -t "
        "the code folder, or a layer), check the Handler setting (file.function), and that "
        "the files in the deployment package are readable (chmod 644, folders 755)",
    ),
    Entry(
        "GW767",
        "gateway-internal-error",
        "error",
        "G4",
        "documented",
        "API Gateway failed on its own side ({detail}), not because of the function's result",
        "retry; if it persists, check the integration's settings (type, URI, credentials, "
        "mapping templates) against the execution log, and AWS Health",
    ),
    Entry(
        "GW769",
        "invoke-permission-not-in-template",
        "warning",
        "G1",
        "documented",
        "the template grants API Gateway no permission to invoke {function} (no "
        "AWS::Lambda::Permission for apigateway.amazonaws.com, no integration role): unless "
        "it is granted elsewhere, every request gets 500 'Invalid permissions on Lambda "
        "function' and the function never runs",
        "add an AWS::Lambda::Permission: FunctionName: !GetAtt {function}.Arn, Action: "
        "lambda:InvokeFunction, Principal: apigateway.amazonaws.com, SourceArn: !Sub "
        "arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/*/*/* (SAM "
        "events and CDK add it for you)",
    ),
    Entry(
        "GW768",
        "authorizer-failed",
        "error",
        "G7",
        "documented",
        "the Lambda authorizer failed or answered something API Gateway cannot read "
        "({detail}): the request is refused with 500 AuthorizerConfigurationException "
        "before the function runs",
        "run the authorizer with apigw-doctor serve and read its finding; it must return "
        '{{"principalId": "...", "policyDocument": {{"Version": "2012-10-17", "Statement": '
        '[{{"Action": "execute-api:Invoke", "Effect": "Allow", '
        '"Resource": event["methodArn"]}}]}}}} '
        '(HTTP API simple responses: {{"isAuthorized": true}}), and API Gateway must be '
        "allowed to invoke it (lambda add-permission)",
    ),
    # -- read in the function's own log (logs): Lambda's lines, any runtime -------
    Entry(
        "GW791",
        "function-out-of-memory",
        "error",
        "G5",
        "documented",
        "the function ran out of memory ({detail}): Lambda stopped it before it answered, "
        "so API Gateway got no result",
        "raise the function's memory (MemorySize in the template, or aws lambda "
        "update-function-configuration --function-name FUNCTION --memory-size 1024; "
        "'Max Memory Used' reached 'Memory Size' in its REPORT line), or stream large data "
        "instead of holding it whole",
    ),
    Entry(
        "GW792",
        "package-file-permissions",
        "error",
        "G6",
        "documented",
        "Lambda may not read the function's own code ({detail}): a file of the deployment "
        "package is not readable by the runtime's user, so every request fails",
        "make the files readable before zipping: chmod -R a+rX on the code folder (files "
        "644, folders and executables such as bootstrap 755), then rebuild the zip and "
        "deploy it again",
    ),
    Entry(
        "GW793",
        "function-error-other-runtime",
        "error",
        "F1",
        "documented",
        "the {runtime} function failed with {error_type}: {error_message}",
        "{fix}",
    ),
    # -- CORS: what the browser makes of the answer (C1-C3) ----------------------
    Entry(
        "GW771",
        "cors-hides-gateway-error",
        "error",
        "C3",
        "documented",
        "API Gateway answered {status} itself, without Access-Control-Allow-Origin: the "
        "browser at {origin} reports a CORS error and hides the real cause, this {status} "
        "({cause})",
        "fix the cause above; to let browsers see API Gateway's own errors, give its "
        "DEFAULT_5XX gateway response the header (SAM: GatewayResponses: DEFAULT_5XX: "
        "ResponseParameters: Headers: Access-Control-Allow-Origin: \"'*'\")",
    ),
    Entry(
        "GW772",
        "cors-header-missing",
        "warning",
        "C1",
        "documented",
        "the response has no Access-Control-Allow-Origin for {origin}: the browser blocks it{why}",
        'add "Access-Control-Allow-Origin": "{origin}" (or "*") to the headers the '
        "function returns",
    ),
    Entry(
        "GW773",
        "cors-preflight-refused",
        "error",
        "C2",
        "documented",
        "the browser's preflight (OPTIONS from {origin}) got {status} without "
        "Access-Control-Allow-Origin: the browser never sends the real request{why}",
        "configure CORS on the API: SAM Cors: \"'{origin}'\" (REST) or CorsConfiguration: "
        "AllowOrigins: [{origin}] (HTTP API), serverless cors: true; locally, "
        "apigw-doctor serve --cors '{origin}'",
    ),
    # -- authorizers: who may call a route (A1-A4) ---------------------------------
    Entry(
        "GW781",
        "unauthorized",
        "info",
        "A1",
        "documented",
        "the {authorizer} authorizer refused the request: {reason}; API Gateway answers "
        "{status} and the function never runs",
        "send the identity the authorizer reads ({identity}); serve --no-auth skips "
        "authorizers locally",
    ),
    Entry(
        "GW782",
        "authorizer-response-invalid",
        "error",
        "A2",
        "documented",
        "the {authorizer} authorizer's answer is not one API Gateway accepts ({detail}): "
        "every request gets 500 AuthorizerConfigurationException",
        "{fix}",
    ),
    Entry(
        "GW783",
        "jwt-not-verified",
        "info",
        "A3",
        "documented",
        "the {authorizer} JWT authorizer let the token through on its claims (algorithm, kid, "
        "issuer, audience, exp, nbf, iat, scopes, checked as AWS checks them), but its "
        "signature was NOT checked: the keys of {issuer} cannot be fetched offline, and AWS "
        "refuses a token they did not sign",
        "nothing to fix locally; test with a real token from {issuer} before deploying",
    ),
    Entry(
        "GW784",
        "request-headers-too-large",
        "error",
        "Q1",
        "documented",
        "the request's {counted} are {size:,} bytes, past API Gateway's quota of {limit:,} "
        "bytes: it refuses the request and the function never runs (the answer, 413 "
        "Request Too Long, is assumed: unverified)",
        "send less in headers: large cookies or tokens belong in the body, or in a "
        "server-side session",
    ),
    # -- payload 2.0 inference (V2, V3) ---------------------------------------
    Entry(
        "GW801",
        "inferred-response",
        "info",
        "V2",
        "documented",
        "no statusCode: API Gateway infers 200, content-type application/json, "
        "and sends the whole result as the body",
        'return {{"statusCode": 200, "body": json.dumps(result)}} to control the response',
    ),
    Entry(
        "GW802",
        "inferred-looks-structured",
        "warning",
        "V2",
        "documented",
        "the result has {keys} but no statusCode, so it is not read as a "
        "response: the client receives the whole object as JSON",
        'add "statusCode": 200 to the returned dict',
    ),
    Entry(
        "GW803",
        "inferred-rendering-unverified",
        "warning",
        "V3",
        "unknown",
        "the function returned {value}; how payload 2.0 renders it is "
        "unverified: read here as {reading}, the other reading is {other}",
        'return {{"statusCode": 200, "body": ...}} to make the body explicit',
    ),
    # -- lint: handler code that will fail behind API Gateway ----------------
    Entry(
        "GW901",
        "path-returns-none",
        "error",
        "R1",
        "recorded",
        "handler {handler} returns None {how}; API Gateway answers 502 "
        "(Malformed Lambda proxy response)",
        'return {{"statusCode": 404, "body": json.dumps({{"error": "not found"}})}} '
        "on that path too",
    ),
    Entry(
        "GW902",
        "returns-non-object",
        "error",
        "R1",
        "recorded",
        "handler {handler} returns {what}, not a response dict; API Gateway answers 502",
        'return {{"statusCode": 200, "body": {expr}}}',
    ),
    Entry(
        "GW903",
        "response-unknown-key",
        "error",
        "R2",
        "recorded",
        "response key {key} is not allowed in a REST proxy response; API Gateway answers 502",
        "remove {key} or move it into the JSON body",
    ),
    Entry(
        "GW904",
        "response-missing-status-http",
        "error",
        "H2",
        "documented",
        "the response has no statusCode; HTTP APIs (payload 1.0) answer 500",
        'add "statusCode": 200',
    ),
    Entry(
        "GW905",
        "response-missing-status-rest",
        "info",
        "R3",
        "recorded",
        "the response has no statusCode; REST APIs answer 200, HTTP APIs 500",
        'add "statusCode": 200',
    ),
    Entry(
        "GW906",
        "body-not-json-dumps",
        "error",
        "R5",
        "documented",
        "body is {what}, not a string; API Gateway answers 502 (the 'forgot json.dumps' bug)",
        '"body": json.dumps({expr})',
    ),
    Entry(
        "GW907",
        "body-python-repr",
        "warning",
        "R5",
        "documented",
        "body is str() of {what}: the client receives a Python repr, not JSON",
        '"body": json.dumps({expr})',
    ),
    Entry(
        "GW908",
        "base64-flag-body-not-encoded",
        "warning",
        "R12",
        "recorded",
        "isBase64Encoded is True but the body is {what}, not base64 text; the client "
        "gets garbage, or 500 when it cannot be decoded",
        '"body": base64.b64encode(data).decode("ascii")',
    ),
    Entry(
        "GW909",
        "b64encode-bytes-in-response",
        "info",
        "S3",
        "documented",
        "{where} is base64.b64encode() bytes; the Lambda runtime writes them as text, "
        "but json.dumps (tests, other tools) cannot",
        'base64.b64encode(data).decode("ascii")  # a str everywhere',
    ),
    Entry(
        "GW910",
        "unserialisable-value",
        "error",
        "F2",
        "documented",
        "{what} reaches {where}, which cannot serialise it ({error}: a function error, 502)",
        "{fix}",
    ),
    Entry(
        "GW911",
        "header-value-not-string",
        "warning",
        "R6",
        "peer",
        "header {name} is {what}; header values must be strings (peer emulators "
        "reject other types)",
        '"{bare}": str(...)',
    ),
    Entry(
        "GW912",
        "exception-escapes-handler",
        "warning",
        "F1",
        "documented",
        "{what} can escape handler {handler}, which otherwise builds HTTP "
        "responses: the client gets 502, not your 4xx",
        'catch it and return {{"statusCode": 400, "body": json.dumps({{"error": str(exc)}})}}',
    ),
    Entry(
        "GW913",
        "syntax-error",
        "error",
        "R1",
        "documented",
        "cannot parse the file: {message}",
        "fix the syntax error; nothing in this file was linted",
    ),
    Entry(
        "GW914",
        "not-analysed",
        "info",
        "R1",
        "documented",
        "not analysed: {message}",
        "{fix}",
    ),
    Entry(
        "GW915",
        "undefined-name",
        "error",
        "F1",
        "documented",
        "name {name!r} is used in handler module {module} but never defined or imported: "
        "a NameError {when}, and API Gateway answers 502",
        "{fix}",
    ),
    Entry(
        "GW916",
        "null-event-field",
        "error",
        "F1",
        "documented",
        "{expr} is None when the request has no {what}: API Gateway sends {field} as null{kinds}, "
        "so this is {error} and API Gateway answers 502",
        "(event.get({field_repr}) or {empty}) where the field is used",
    ),
    # -- aws audit: API configuration that hides or causes 5xx -----------------
    Entry(
        "GW951",
        "stage-execution-logging-off",
        "warning",
        "R13",
        "documented",
        "stage {stage} writes no execution logs (loggingLevel {level}): the "
        "'Malformed Lambda proxy response' line is never recorded",
        "apigw-doctor aws enable-logging --rest-api-id {api_id} --stage {stage} --data-trace",
    ),
    Entry(
        "GW952",
        "stage-data-trace-off",
        "info",
        "R13",
        "documented",
        "stage {stage} has data tracing off: logs never show the function's result, "
        "so the cause of a 502 cannot be read from them",
        "apigw-doctor aws enable-logging --rest-api-id {api_id} --stage {stage} "
        "--data-trace  (temporarily: it logs request data)",
    ),
    Entry(
        "GW953",
        "account-cloudwatch-role-missing",
        "warning",
        "R13",
        "documented",
        "the account has no API Gateway CloudWatch role (cloudwatchRoleArn), so "
        "stage logging settings write nothing",
        "apigw-doctor aws enable-logging ... --create-role",
    ),
    Entry(
        "GW954",
        "access-log-without-error-message",
        "warning",
        "H5",
        "documented",
        "the access log format of stage {stage} lacks $context.integrationErrorMessage, "
        "the only place that says why an integration failed",
        'add "integrationError": "$context.integrationErrorMessage" to the format',
    ),
    Entry(
        "GW955",
        "access-logs-off",
        "warning",
        "H5",
        "documented",
        "stage {stage} has no access logs: failed requests leave no trace{hint}",
        "set accessLogSettings (destinationArn and a JSON format with "
        "$context.integrationErrorMessage)",
    ),
    Entry(
        "GW956",
        "binary-media-types-missing",
        "warning",
        "R10",
        "recorded",
        "{handlers} return isBase64Encoded bodies but the API has no "
        "binaryMediaTypes: clients receive base64 text",
        "aws apigateway update-rest-api --rest-api-id {api_id} --patch-operations "
        "op=add,path=/binaryMediaTypes/image~1png",
    ),
    Entry(
        "GW957",
        "integration-timeout-below-function",
        "warning",
        "L3",
        "documented",
        "{method} {resource}: the integration times out after {integration:g} s but "
        "function {function} may run {function_timeout:g} s: clients get 504 first",
        "lower the function timeout below {integration:g} s, or raise the integration timeout",
    ),
    Entry(
        "GW958",
        "not-a-proxy-integration",
        "info",
        "R1",
        "documented",
        "{method} {resource} uses a {kind} integration, not AWS_PROXY: the Lambda proxy "
        "rules do not apply (mapping templates decide the response)",
        "use type AWS_PROXY for Lambda proxy integration",
    ),
    Entry(
        "GW959",
        "http-api-payload-1-0",
        "info",
        "H2",
        "documented",
        "route integration {integration} uses payload format 1.0: statusCode is "
        "required and nothing is inferred",
        "use payloadFormatVersion 2.0, or always return statusCode",
    ),
)

CATALOGUE: dict[str, Entry] = {row.code: row for row in _ROWS}

#: how to write what json.dumps and the Lambda runtime cannot: one text per kind of
#: value, for lint (GW910) and for the function errors it causes (GW704)
SERIALISE_FIX = {
    "bytes": 'base64.b64encode(data).decode("ascii") with "isBase64Encoded": True',
    "b64bytes": 'add .decode("ascii") after base64.b64encode(...)',
    "bytearray": "bytes(value), or a list(...) of its numbers",
    "set": "convert it with list(...)",
    "decimal": "json.dumps(data, default=str), or int()/float() the value",
    "datetime": "value.isoformat(), or json.dumps(data, default=str)",
    "dynamo": "json.dumps(item, default=str) (DynamoDB returns numbers as Decimal)",
    "aws-datetime": "json.dumps(response, default=str) (boto3 returns timestamps as datetime)",
}
#: what a function of each runtime returns instead of failing (GW793)
FUNCTION_ERROR_FIX = {
    "Node.js": "catch the error in the handler and return a response, e.g. "
    "return { statusCode: 500, body: JSON.stringify({ message: err.message }) } "
    "(in an async handler, await every promise inside try/catch)",
    "Java": "catch the exception in handleRequest and return an "
    "APIGatewayProxyResponseEvent with withStatusCode(500) and a JSON body",
    "Go": "return events.APIGatewayProxyResponse{StatusCode: 500, Body: `{...}`} with a "
    "nil error instead of a non-nil error",
    ".NET": "catch the exception in the handler and return an APIGatewayProxyResponse "
    "with StatusCode = 500 and a JSON Body",
}
#: Python's type names in "Object of type X is not JSON serializable", by kind
_KIND_OF_TYPE = {
    "Decimal": "decimal",
    "datetime": "datetime",
    "date": "datetime",
    "time": "datetime",
    "bytes": "bytes",
    "bytearray": "bytearray",
    "set": "set",
    "frozenset": "set",
}


def serialise_fix(type_name: str) -> str:
    """The fix for a value of ``type_name`` that json.dumps cannot write."""
    kind = _KIND_OF_TYPE.get(type_name)
    return SERIALISE_FIX[kind] if kind else "json.dumps(data, default=str), or convert the value"


def finding(code: str, **args: Any) -> Finding:
    """Fill in a catalogue row; ``args`` name the offending key and value."""
    row = CATALOGUE[code]
    shown = {name: _argument(value) for name, value in args.items()}
    return Finding(
        code=row.code,
        severity=row.severity,
        rule=row.rule,
        confidence=row.confidence,
        message=row.message.format(**shown),
        fix=row.fix.format(**shown),
    )


def _argument(value: Any) -> Any:
    """An argument as a message can show it: an int past Python's int-to-text limit
    (4300 digits; formatting it raises ValueError) becomes a short description, so
    filling in a finding never raises, whatever number a payload held."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3000:
        return f"<a number of about {int(value.bit_length() * 0.30103):,} digits>"
    return value


def demoted(item: Finding, reason: str) -> Finding:
    """An error that holds only in some deployments, as a warning that says which."""
    if item.severity != "error":
        return item
    return item._replace(severity="warning", message=f"{item.message} ({reason})")


def preview(value: Any, limit: int = 60) -> str:
    """A short JSON rendering of ``value`` for messages; never raises.

    Renders only about ``limit`` characters, so a 6 MB body costs no more than
    a small one.
    """
    parts: list[str] = []
    _render(value, parts, limit + 1)
    return shorten("".join(parts), limit)


def _render(value: Any, parts: list[str], budget: int) -> int:
    """Append JSON text for ``value`` until ``budget`` characters are spent."""
    if budget <= 0:
        return 0
    if isinstance(value, dict):
        parts.append("{")
        budget -= 1
        for i, (key, item) in enumerate(value.items()):
            if budget <= 0:
                break
            parts.append((", " if i else "") + _scalar(str(key), budget) + ": ")
            budget -= len(parts[-1])
            budget = _render(item, parts, budget)
        parts.append("}")
        return budget - 1
    if isinstance(value, (list, tuple)):
        parts.append("[")
        budget -= 1
        for i, item in enumerate(value):
            if budget <= 0:
                break
            if i:
                parts.append(", ")
                budget -= 2
            budget = _render(item, parts, budget)
        parts.append("]")
        return budget - 1
    parts.append(_scalar(value, budget))
    return budget - len(parts[-1])


_CONSTANTS = {None: "null", True: "true", False: "false"}


def _scalar(value: Any, budget: int) -> str:
    if isinstance(value, str):
        return encode_basestring(value[:budget])
    if value is None or isinstance(value, bool):
        return _CONSTANTS[value]
    if isinstance(value, (int, float)):
        try:
            return json.dumps(value)
        except ValueError:  # an int past Python's digit limit
            return "<a very long number>"
    if isinstance(value, Decimal):  # a number read from a payload past int's digit limit
        return str(value)[:budget]
    return f"<{type(value).__name__}>"


def shorten(text: str, limit: int) -> str:
    """Cut a preview further, keeping the ``...`` marker."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe(value: Any) -> str:
    """A value as messages name it: its JSON kind and a preview (``a list [1, 2]``)."""
    if value is None:
        return "null (None in Python)"
    return f"{kind_of(value)} {preview(value)}"


def kind_of(value: Any) -> str:
    """The JSON name of a value's type, as users know it from their payload."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"
