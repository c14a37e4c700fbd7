"""Plain CloudFormation, as SAM's translator writes it, CDK synthesizes it or a
person writes it: functions, the APIs that proxy to them, and what else invokes them.

One reader for all three because, after translation, they are the same
resources: ``AWS::Lambda::Function``; REST APIs as an OpenAPI ``Body`` or as
``AWS::ApiGateway::Method`` resources; HTTP APIs as a ``Body`` or as
``AWS::ApiGatewayV2::Route``/``Integration``; ``AWS::Lambda::Url``.  Any other
resource that names a function is what triggers it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .. import _json as json_text
from . import authorizers as authorizers_of
from . import cors as cors_of
from . import image as image_of
from .model import Authorizer, Binding, Cors, Function, Note, Resource, Trigger

#: the function an ARN names: arn:aws:lambda:REGION:ACCOUNT:function:NAME[:alias]
_FUNCTION_ARN = re.compile(r":function:([^/:\s]+)")
_PLAIN_NAME = re.compile(r"([^/:\s]+)")
_SUB_REF = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.Arn)?\}")
_HTTP_METHODS = (
    "get",
    "put",
    "post",
    "delete",
    "patch",
    "head",
    "options",
    "x-amazon-apigateway-any-method",
)
#: resources that wire APIs to functions: read as bindings, never as triggers
_API_TYPES = frozenset(
    {
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::Deployment",
        "AWS::ApiGateway::Stage",
        "AWS::ApiGatewayV2::Api",
        "AWS::ApiGatewayV2::Route",
        "AWS::ApiGatewayV2::Integration",
        "AWS::ApiGatewayV2::Stage",
        "AWS::Lambda::Url",
        "AWS::Lambda::Alias",
        "AWS::Lambda::Version",
        "AWS::Lambda::Function",
        "AWS::IAM::Role",
        "AWS::IAM::Policy",
        "AWS::Logs::LogGroup",
        "AWS::Logs::SubscriptionFilter",
        "AWS::CloudWatch::Alarm",
        "AWS::Lambda::EventInvokeConfig",
    }
)
_TRIGGER_NAMES = {
    "AWS::Lambda::EventSourceMapping": "event source",
    "AWS::Events::Rule": "EventBridge rule",
    "AWS::Scheduler::Schedule": "schedule",
    "AWS::SNS::Subscription": "SNS",
    "AWS::SNS::Topic": "SNS",
    "AWS::S3::Bucket": "S3",
    "AWS::StepFunctions::StateMachine": "Step Functions",
    "AWS::Cognito::UserPool": "Cognito trigger",
    "AWS::CloudFormation::CustomResource": "custom resource",
    "AWS::ApiGateway::Authorizer": "authorizer",
    "AWS::ApiGatewayV2::Authorizer": "authorizer",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "ALB target",
    "AWS::AppSync::DataSource": "AppSync",
    "AWS::IoT::TopicRule": "IoT rule",
}
#: data resources --mock-aws creates, and the property naming each
_NAME_PROPERTY = {
    "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
}
_PRINCIPALS = {
    "s3.amazonaws.com": "S3",
    "sns.amazonaws.com": "SNS",
    "events.amazonaws.com": "EventBridge rule",
    "logs.amazonaws.com": "CloudWatch Logs",
    "cognito-idp.amazonaws.com": "Cognito trigger",
    "elasticloadbalancing.amazonaws.com": "ALB target",
    "iot.amazonaws.com": "IoT rule",
}


class Resolver:
    """Intrinsic functions, resolved where a template alone can say their value."""

    def __init__(self, resources: dict[str, Any], parameters: dict[str, str], region: str) -> None:
        self.resources = resources
        self.parameters = parameters
        self.pseudo = {
            "AWS::Region": region,
            "AWS::AccountId": "123456789012",
            "AWS::Partition": "aws",
            "AWS::StackName": "local",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.unresolved: set[str] = set()

    def text(self, value: Any) -> str:
        """A value as a string; what cannot be known becomes a visible placeholder."""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict) and len(value) == 1:
            ((name, argument),) = value.items()
            if name == "Ref":
                return self._ref(str(argument))
            if name == "Fn::Sub":
                return self._sub(argument)
            if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
                parts = argument[1] if isinstance(argument[1], list) else []
                return str(argument[0]).join(self.text(p) for p in parts)
            if name == "Fn::GetAtt":
                target = argument if isinstance(argument, list) else str(argument).split(".", 1)
                shown = ".".join(str(t) for t in target)
                self.unresolved.add(f"!GetAtt {shown}")
                return f"<{shown}>"
            if name == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
                return self.text(argument[1])
            if name == "Fn::Select" and isinstance(argument, list) and len(argument) == 2:
                items = argument[1] if isinstance(argument[1], list) else []
                index = argument[0] if isinstance(argument[0], int) else 0
                return self.text(items[index]) if 0 <= index < len(items) else ""
        self.unresolved.add(str(value)[:60])
        return f"<{str(value)[:40]}>"

    def _ref(self, name: str) -> str:
        if name in self.parameters:
            return self.parameters[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.resources:
            return name  # a resource's physical name is only known once deployed
        self.unresolved.add(f"!Ref {name}")
        return f"<{name}>"

    def _sub(self, argument: Any) -> str:
        if isinstance(argument, list) and argument:
            template, variables = argument[0], argument[1] if len(argument) > 1 else {}
        else:
            template, variables = argument, {}
        variables = variables if isinstance(variables, dict) else {}

        def fill(match: re.Match[str]) -> str:
            key = match.group(1)
            if key in variables:
                return self.text(variables[key])
            if "." in key:
                self.unresolved.add(f"${{{key}}}")
                return f"<{key}>"
            return self._ref(key)

        return re.sub(r"\$\{([^}!]+)\}", fill, str(template))


def functions_referenced(value: Any, names: frozenset[str]) -> Iterator[str]:
    """Logical ids of ``names`` that ``value`` refers to (!Ref, !GetAtt, ${X.Arn})."""
    if isinstance(value, dict):
        if "Ref" in value and value["Ref"] in names:
            yield str(value["Ref"])
        attribute = value.get("Fn::GetAtt")
        if isinstance(attribute, list) and attribute and attribute[0] in names:
            yield str(attribute[0])
        elif isinstance(attribute, str) and attribute.split(".", 1)[0] in names:
            yield attribute.split(".", 1)[0]
        for item in value.values():
            yield from functions_referenced(item, names)
    elif isinstance(value, list):
        for item in value:
            yield from functions_referenced(item, names)
    elif isinstance(value, str) and "${" in value:
        for match in _SUB_REF.finditer(value):
            if match.group(1) in names:
                yield match.group(1)


class Reader:
    """One CloudFormation template (a SAM template after translation)."""

    def __init__(
        self,
        path: Path,
        data: dict[str, Any],
        *,
        parameters: dict[str, str],
        region: str,
        code_dirs: Callable[[str, dict[str, Any]], Path | None],
        layer_dirs: dict[str, Path] | None = None,
    ) -> None:
        self.path = path
        self.base = path.parent
        self.resources = {
            k: v for k, v in _dict(data.get("Resources")).items() if isinstance(v, dict)
        }
        defaults = {
            name: str(spec["Default"])
            for name, spec in _dict(data.get("Parameters")).items()
            if isinstance(spec, dict) and "Default" in spec
        }
        self.resolver = Resolver(self.resources, {**defaults, **parameters}, region)
        self.code_dirs = code_dirs
        self.layer_dirs = layer_dirs or {}
        self.notes: list[Note] = []
        self.functions = frozenset(
            name for name, r in self.resources.items() if r.get("Type") == "AWS::Lambda::Function"
        )
        # aliases and versions stand for their function wherever an API names them
        self.stands_for = {name: name for name in self.functions}
        for name, resource in self.resources.items():
            if resource.get("Type") in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                target = next(
                    functions_referenced(_props(resource).get("FunctionName"), self.functions), None
                )
                if target:
                    self.stands_for[name] = target
        self.targets = frozenset(self.stands_for)
        self._quiet = Resolver(self.resources, self.resolver.parameters, region)  # notes nothing
        #: functions by the physical name their FunctionName sets (literal ARNs name them)
        self._named = {
            text: name
            for name in self.functions
            # a name only known once deployed (<Param>) still matches its own placeholder
            if "FunctionName" in _props(self.resources[name])
            and (text := self._quiet.text(_props(self.resources[name])["FunctionName"]))
        }
        self.data_resources: list[Resource] = []
        #: folders an image's Dockerfile copies into its task root beside the handler's
        self.image_paths: dict[str, tuple[Path, ...]] = {}
        self.image_environment: dict[str, dict[str, str]] = {}
        self.bindings: dict[str, list[Binding]] = {name: [] for name in self.functions}
        self.triggers: dict[str, list[Trigger]] = {name: [] for name in self.functions}
        #: functions API Gateway may invoke: a permission for it, or an integration role
        self.api_permitted: set[str] = set()

    def note(self, text: str) -> None:
        self.notes.append(Note(self.path, text))

    def target(self, value: Any) -> str | None:
        """The function a value (an integration URI, a FunctionName) invokes: by a
        reference to its resource, else by the name written out in an ARN
        (``...:function:my-name/invocations``) that its FunctionName gives it."""
        found = next(functions_referenced(value, self.targets), None)
        if found:
            return self.stands_for.get(found)
        if value is None or not self._named:
            return None
        if isinstance(value, str) and "${" in value:  # a Sub's text outside a !Sub
            value = {"Fn::Sub": value}
        text = self._quiet.text(value)
        match = _FUNCTION_ARN.search(text) or _PLAIN_NAME.fullmatch(text)
        return self._named.get(match.group(1)) if match else None

    # -- the whole template ------------------------------------------------------------
    def read(self) -> list[Function]:
        for name, resource in self.resources.items():
            kind = resource.get("Type")
            props = _props(resource)
            if kind == "AWS::ApiGateway::RestApi":
                self._rest_api(name, props)
            elif kind == "AWS::ApiGatewayV2::Api":
                self._http_api(name, props)
            elif kind == "AWS::ApiGatewayV2::Route":
                self._http_route(name, props)
            elif kind == "AWS::Lambda::Url":
                self._url(props)
            elif kind == "AWS::Lambda::Permission":
                self._permission(props)
            elif kind in _NAME_PROPERTY:
                self._data_resource(name, str(kind), props)
            elif kind not in _API_TYPES:
                self._trigger(name, str(kind), resource)
        return [self._function(name) for name in sorted(self.functions)]

    def _function(self, name: str) -> Function:
        resource = self.resources[name]
        props = _props(resource)
        package = str(props.get("PackageType") or "Zip")
        handler = props.get("Handler")
        inline: str | None = None
        code_dir = self.code_dirs(name, resource) or self.base
        runtime = props.get("Runtime")
        unknown = ""
        if package == "Image":
            handler, code_dir, runtime, unknown = self._image(name, resource, code_dir)
        elif "ZipFile" in _dict(props.get("Code")):
            inline = self.resolver.text(_dict(props.get("Code"))["ZipFile"])
            self.note(f"{name}: inline code (Code.ZipFile): scan and serve run it, lint does not")
        elif _dict(props.get("Code")).get("S3Bucket") and self.code_dirs(name, resource) is None:
            self.note(f"{name}: its code is in S3 (Code.S3Bucket), not in this folder")
            handler = None
        environment = {
            **self.image_environment.get(name, {}),  # the function's own variables win
            **{
                str(k): self.resolver.text(v)
                for k, v in _dict(_dict(props.get("Environment")).get("Variables")).items()
            },
        }
        return Function(
            name=name,
            template=self.path,
            handler=handler if isinstance(handler, str) and "." in handler else None,
            code_dir=code_dir,
            runtime=str(runtime) if isinstance(runtime, str) else None,
            timeout=_number(props.get("Timeout"), 3.0),
            memory=int(_number(props.get("MemorySize"), 128)),
            layers=(*self._layers(props.get("Layers")), *self.image_paths.get(name, ())),
            environment=environment,
            bindings=tuple(self.bindings[name]),
            triggers=tuple(self.triggers[name]),
            package_type=package,
            code_unknown=unknown,
            inline_code=inline,
            api_permission=name in self.api_permitted,
        )

    def _layers(self, value: Any) -> Iterator[Path]:
        for layer in value if isinstance(value, list) else []:
            reference = layer.get("Ref") if isinstance(layer, dict) else None
            if isinstance(reference, str) and reference in self.layer_dirs:
                yield self.layer_dirs[reference]

    def _image(
        self, name: str, resource: dict[str, Any], code_dir: Path
    ) -> tuple[str | None, Path, str | None, str]:
        """An image function: the handler from ImageConfig.Command or the Dockerfile's
        CMD, the runtime from its base image (public.ecr.aws/lambda/python:3.12), the
        task root from its COPY lines; and why the handler's file is not found, if not."""
        metadata = _dict(resource.get("Metadata"))
        context = metadata.get("DockerContext")
        folder = self.base / context if isinstance(context, str) else code_dir
        dockerfile = metadata.get("Dockerfile") or metadata.get("aws:asset:dockerfile-path")
        command = _dict(_props(resource).get("ImageConfig")).get("Command")
        given = command[0] if isinstance(command, list) and command else None
        image = image_of.function(
            folder,
            folder / str(dockerfile or "Dockerfile"),
            given if isinstance(given, str) else None,
        )
        if image.note:
            self.note(f"{name}: an image function whose handler could not be read ({image.note})")
        self.image_paths[name] = image.beside
        self.image_environment[name] = dict(image.environment)
        return image.handler, image.code_dir, image.runtime, image.unknown

    # -- REST APIs -------------------------------------------------------------------
    def _rest_api(self, name: str, props: dict[str, Any]) -> None:
        binary = tuple(
            str(t).replace("~1", "/")
            for t in props.get("BinaryMediaTypes") or []
            if isinstance(t, str)
        )
        stage = self._stage(name, "AWS::ApiGateway::Stage", "RestApiId", "StageName")
        body = props.get("Body")
        if isinstance(body, dict):
            self._openapi(name, body, "rest", stage, binary)
            return
        if props.get("BodyS3Location") or props.get("Body") is not None:
            self.note(f"{name}: an API definition outside the template is not read")
        self._rest_methods(name, stage, binary)

    def _rest_methods(self, api: str, stage: str, binary: tuple[str, ...]) -> None:
        """CDK's shape: AWS::ApiGateway::Method on a tree of AWS::ApiGateway::Resource."""
        for resource in self.resources.values():
            if resource.get("Type") != "AWS::ApiGateway::Method":
                continue
            props = _props(resource)
            if next(functions_referenced(props.get("RestApiId"), frozenset({api})), None) != api:
                continue
            integration = _dict(props.get("Integration"))
            target = self.target(integration.get("Uri"))
            if target is None:
                continue
            if integration.get("Credentials"):  # API Gateway invokes it with a role
                self.api_permitted.add(target)
            method = str(props.get("HttpMethod") or "ANY").upper()
            path = self._resource_path(props.get("ResourceId"))
            preflight = self._rest_preflight(api, path)
            self.bindings[target].append(
                Binding(
                    "rest",
                    method,
                    path,
                    proxy=str(integration.get("Type", "")).upper() == "AWS_PROXY",
                    api=api,
                    stage=stage,
                    binary_media_types=binary,
                    authorizer=self._authorizer(props.get("AuthorizerId")),
                    cors=cors_of.rest(preflight, self._error_headers(api)) if preflight else None,
                    auth=authorizers_of.with_scopes(
                        self._authorizer_resource(props.get("AuthorizerId")),
                        props.get("AuthorizationScopes"),
                    ),
                    request_schema=self._model_schema(props.get("RequestModels")),
                )
            )

    def _model_schema(self, models: Any) -> str:
        """The JSON schema of a Method's ``application/json`` request model, as text."""
        reference = _dict(models).get("application/json")
        name = reference.get("Ref") if isinstance(reference, dict) else None
        model = _props(self.resources.get(str(name), {})) if name else {}
        schema = model.get("Schema")
        if isinstance(schema, str):
            try:
                schema = json_text.loads(schema)
            except ValueError:
                return ""
        return json.dumps(schema) if isinstance(schema, dict) else ""

    def _rest_preflight(self, api: str, path: str) -> tuple[tuple[str, str], ...]:
        """The headers of an OPTIONS mock Method on the same resource (CDK's CORS)."""
        for resource in self.resources.values():
            props = _props(resource)
            if (
                resource.get("Type") != "AWS::ApiGateway::Method"
                or str(props.get("HttpMethod", "")).upper() != "OPTIONS"
                or next(functions_referenced(props.get("RestApiId"), frozenset({api})), None) != api
                or self._resource_path(props.get("ResourceId")) != path
            ):
                continue
            integration = _dict(props.get("Integration"))
            responses = integration.get("IntegrationResponses") or [{}]
            return cors_of.options_mock_headers(
                {
                    "x-amazon-apigateway-integration": {
                        "type": integration.get("Type", ""),
                        "responses": {"default": {"responseParameters": _dict(
                            _dict(responses[0]).get("ResponseParameters"))}},
                    }
                }
            )  # fmt: skip
        return ()

    def _error_headers(self, api: str) -> tuple[tuple[str, str], ...]:
        """REST gateway responses (AWS::ApiGateway::GatewayResponse) of this API."""
        responses = {
            str(_props(r).get("ResponseType")): _props(r)
            for r in self.resources.values()
            if r.get("Type") == "AWS::ApiGateway::GatewayResponse"
            and next(functions_referenced(_props(r).get("RestApiId"), frozenset({api})), None)
            == api
        }
        return cors_of.error_headers(responses)

    def _authorizer_resource(self, reference: Any) -> Authorizer | None:
        name = self._authorizer(reference)
        resource = self.resources.get(name) if name else None
        if name is None or resource is None:
            return None
        kind = str(resource.get("Type"))
        if kind not in ("AWS::ApiGateway::Authorizer", "AWS::ApiGatewayV2::Authorizer"):
            return None
        return authorizers_of.from_resource(name, kind, _props(resource), self.target)

    def _resource_path(self, reference: Any) -> str:
        parts: list[str] = []
        for _ in range(50):
            name = reference.get("Ref") if isinstance(reference, dict) else None
            resource = self.resources.get(str(name)) if name else None
            if resource is None or resource.get("Type") != "AWS::ApiGateway::Resource":
                break
            parts.append(str(_props(resource).get("PathPart", "")))
            reference = _props(resource).get("ParentId")
        return "/" + "/".join(reversed(parts))

    def _authorizer(self, reference: Any) -> str | None:
        name = reference.get("Ref") if isinstance(reference, dict) else None
        return str(name) if name else None

    # -- HTTP APIs -------------------------------------------------------------------
    def _http_api(self, name: str, props: dict[str, Any]) -> None:
        if str(props.get("ProtocolType", "HTTP")).upper() != "HTTP":
            return  # WebSocket APIs are out of scope
        stage = self._stage(name, "AWS::ApiGatewayV2::Stage", "ApiId", "StageName") or "$default"
        body = props.get("Body")
        if isinstance(body, dict):
            self._openapi(name, body, "http", stage, ())
        target = self.target(props.get("Target"))
        if target:  # quick create: one $default route, payload 2.0
            self.bindings[target].append(
                Binding("http-2.0", "ANY", "/{proxy+}", api=name, stage=stage)
            )

    def _http_route(self, name: str, props: dict[str, Any]) -> None:
        route_key = str(props.get("RouteKey") or "")
        integration_name = next(
            (
                candidate
                for candidate, resource in self.resources.items()
                if resource.get("Type") == "AWS::ApiGatewayV2::Integration"
                and next(functions_referenced(props.get("Target"), frozenset({candidate})), None)
            ),
            None,
        )
        integration = _props(self.resources[integration_name]) if integration_name else {}
        target = self.target(integration.get("IntegrationUri"))
        if target is None:
            return
        if integration.get("CredentialsArn"):  # API Gateway invokes it with a role
            self.api_permitted.add(target)
        api_ref = props.get("ApiId")
        api_name = api_ref.get("Ref") if isinstance(api_ref, dict) else None
        api_resource = self.resources.get(str(api_name)) if api_name else None
        if api_resource and str(_props(api_resource).get("ProtocolType", "HTTP")).upper() != "HTTP":
            # a WebSocket route: its function answers frames, not HTTP requests
            self.triggers[target].append(Trigger("websocket", f"{api_name} {route_key}"))
            return
        method, _, path = route_key.partition(" ")
        if route_key == "$default":
            method, path = "ANY", "/{proxy+}"
        version = str(integration.get("PayloadFormatVersion") or "2.0")
        proxy = str(integration.get("IntegrationType", "AWS_PROXY")).upper() == "AWS_PROXY"
        self.bindings[target].append(
            Binding(
                "http-1.0" if version == "1.0" else "http-2.0",
                method.upper() or "ANY",
                path or "/",
                proxy=proxy,
                api=self.resolver.text(props.get("ApiId")),
                stage="$default",
                authorizer=self._authorizer(props.get("AuthorizerId")),
                cors=self._http_cors(props.get("ApiId")),
                auth=authorizers_of.with_scopes(
                    self._authorizer_resource(props.get("AuthorizerId")),
                    props.get("AuthorizationScopes"),
                )
                if str(props.get("AuthorizationType", "")).upper() != "NONE"
                else None,
                route_key="$default" if route_key == "$default" else "",
            )
        )

    def _http_cors(self, reference: Any) -> Cors | None:
        name = reference.get("Ref") if isinstance(reference, dict) else None
        api = self.resources.get(str(name)) if name else None
        return cors_of.managed(_props(api).get("CorsConfiguration")) if api else None

    # -- OpenAPI bodies (SAM's output, or DefinitionBody) ---------------------------------
    def _openapi(
        self, api: str, body: dict[str, Any], family: str, stage: str, binary: tuple[str, ...]
    ) -> None:
        binary = binary or tuple(
            str(t)
            for t in body.get("x-amazon-apigateway-binary-media-types") or []
            if isinstance(t, str)
        )
        schemes = {
            **_dict(body.get("securityDefinitions")),
            **_dict(_dict(body.get("components")).get("securitySchemes")),
        }
        authorizers = {}
        for scheme_name, scheme in schemes.items():
            authorizer = _dict(_dict(scheme).get("x-amazon-apigateway-authorizer"))
            target = self.target(authorizer.get("authorizerUri"))
            if target:
                self.triggers[target].append(Trigger("authorizer", f"{api} {scheme_name}"))
            read = authorizers_of.from_scheme(scheme_name, _dict(scheme), self.target)
            if read is not None:
                authorizers[scheme_name] = read
        http_cors = cors_of.managed(body.get("x-amazon-apigateway-cors"))
        on_errors = cors_of.error_headers(_dict(body.get("x-amazon-apigateway-gateway-responses")))
        for path, operations in _dict(body.get("paths")).items():
            options = _dict(_dict(operations).get("options"))
            preflight = cors_of.options_mock_headers(options)
            cors = http_cors if family == "http" else None
            if family == "rest" and preflight:
                cors = cors_of.rest(preflight, on_errors)
            for method, operation in _dict(operations).items():
                if method.lower() not in _HTTP_METHODS:
                    continue
                integration = _dict(_dict(operation).get("x-amazon-apigateway-integration"))
                target = self.target(integration.get("uri"))
                if target is None:
                    continue
                if integration.get("credentials"):  # API Gateway invokes it with a role
                    self.api_permitted.add(target)
                kind = "rest"
                if family == "http":
                    version = str(integration.get("payloadFormatVersion") or "2.0")
                    kind = "http-1.0" if version == "1.0" else "http-2.0"
                security = _dict(operation).get("security")
                if security is None:
                    security = body.get("security")
                names = [n for entry in security or [] if isinstance(entry, dict) for n in entry]
                verb = (
                    "ANY" if method.lower() == "x-amazon-apigateway-any-method" else method.upper()
                )
                self.bindings[target].append(
                    Binding(
                        kind,
                        verb,
                        "/{proxy+}" if path == "$default" else str(path),  # HTTP's catch-all
                        proxy=str(integration.get("type", "")).lower() == "aws_proxy",
                        api=api,
                        stage=stage,
                        binary_media_types=binary,
                        authorizer=names[0] if names else None,
                        cors=cors,
                        auth=_secured(security, authorizers),
                        route_key="$default" if path == "$default" else "",
                        request_schema=request_schema(_dict(operation), body),
                    )
                )

    def _stage(self, api: str, kind: str, key: str, name_key: str) -> str:
        for resource in self.resources.values():
            props = _props(resource)
            if resource.get("Type") == kind and next(
                functions_referenced(props.get(key), frozenset({api})), None
            ):
                return self.resolver.text(props.get(name_key, ""))
        return ""

    # -- function URLs, permissions, other triggers ---------------------------------------
    def _url(self, props: dict[str, Any]) -> None:
        target = self.target(props.get("TargetFunctionArn"))
        if target:
            self.bindings[target].append(
                Binding(
                    "function-url",
                    "ANY",
                    "/{proxy+}",
                    api="url",
                    cors=cors_of.managed(props.get("Cors")),
                )
            )

    def _permission(self, props: dict[str, Any]) -> None:
        target = self.target(props.get("FunctionName"))
        principal = self.resolver.text(props.get("Principal", ""))
        if target and principal.startswith("apigateway."):
            self.api_permitted.add(target)
        service = _PRINCIPALS.get(principal)
        if target and service:
            self.triggers[target].append(Trigger(service, principal))

    def _data_resource(self, name: str, kind: str, props: dict[str, Any]) -> None:
        given = props.get(_NAME_PROPERTY[kind])
        # with no name given, a !Ref of the resource reads as its logical id here
        physical = self.resolver.text(given) if given is not None else name
        self.data_resources.append(Resource(kind, physical, props))
        if kind not in _API_TYPES:
            self._trigger(name, kind, {"Properties": props})

    def _trigger(self, name: str, kind: str, resource: dict[str, Any]) -> None:
        for target in dict.fromkeys(functions_referenced(_props(resource), self.targets)):
            function = self.stands_for.get(target)
            if function is None:
                continue
            label = _TRIGGER_NAMES.get(
                kind, "custom resource" if kind.startswith("Custom::") else kind
            )
            if kind == "AWS::Lambda::EventSourceMapping":
                label = self._event_source(_props(resource).get("EventSourceArn"))
            self.triggers[function].append(Trigger(label, name))

    def _event_source(self, arn: Any) -> str:
        """What an event source mapping reads: by the resource it names, else its ARN."""
        names = frozenset(self.resources)
        source = next(functions_referenced(arn, names), None)
        kind = str(self.resources[source].get("Type")) if source else self.resolver.text(arn)
        for marker, label in _EVENT_SOURCES:
            if marker in kind.lower():
                return label
        return "event source"


_EVENT_SOURCES = (
    ("sqs", "SQS"),
    ("kinesis", "Kinesis"),
    ("dynamodb", "DynamoDB stream"),
    ("kafka", "Kafka"),
    ("amazonmq", "Amazon MQ"),
)


def _secured(security: Any, authorizers: dict[str, Authorizer]) -> Authorizer | None:
    """The authorizer an OpenAPI operation's ``security`` names, with the scopes it
    lists for it (``[{"Jwt": ["orders/read"]}]``)."""
    for entry in security or []:
        for name, scopes in _dict(entry).items():
            if name in authorizers:
                return authorizers_of.with_scopes(authorizers[name], scopes)
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _props(resource: dict[str, Any]) -> dict[str, Any]:
    return _dict(resource.get("Properties"))


def _number(value: Any, default: float) -> float:
    return (
        float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else default
    )


def request_schema(operation: dict[str, Any], body: dict[str, Any]) -> str:
    """The JSON schema an OpenAPI operation declares for its JSON request body (Swagger's
    ``in: body`` parameter, OpenAPI 3's ``requestBody``), references resolved, as text."""
    schema: Any = None
    for parameter in operation.get("parameters") or []:
        if isinstance(parameter, dict) and parameter.get("in") == "body":
            schema = parameter.get("schema")
    content = _dict(_dict(operation.get("requestBody")).get("content"))
    schema = _dict(content.get("application/json")).get("schema", schema)
    resolved = _resolve_refs(schema, body, 0)
    return json.dumps(resolved) if isinstance(resolved, dict) else ""


def _resolve_refs(schema: Any, body: dict[str, Any], depth: int) -> Any:
    """``$ref``s to ``#/definitions/...`` or ``#/components/schemas/...`` replaced by what
    they name (a bounded depth: a recursive schema stops as an empty object)."""
    if depth > 12:
        return {}
    if isinstance(schema, list):
        return [_resolve_refs(item, body, depth + 1) for item in schema]
    if not isinstance(schema, dict):
        return schema
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/"):
        target: Any = body
        for part in reference[2:].split("/"):
            target = _dict(target).get(part)
        return _resolve_refs(target or {}, body, depth + 1)
    return {key: _resolve_refs(value, body, depth + 1) for key, value in schema.items()}
