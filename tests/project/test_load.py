"""The project model, read from small projects of every shape (tests/project/projects)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from apigw_doctor.cli import main
from apigw_doctor.project import Function, TemplateError, load_project, load_template

PROJECTS = Path(__file__).parent / "projects"


def functions(name: str, **options: object) -> dict[str, Function]:
    project = load_project([PROJECTS / name], **options)  # type: ignore[arg-type]
    return {f.name: f for f in project.functions}


def routes(function: Function) -> list[tuple[str, str, str, bool]]:
    return sorted((b.kind, b.method, b.path, b.proxy) for b in function.bindings)


def test_sam_expanded_by_the_translator() -> None:
    found = functions("sam-shop")
    items, orders = found["Items"], found["Orders"]
    assert items.module_path == PROJECTS / "sam-shop" / "src" / "items.py"
    assert (items.runtime, items.timeout, items.memory) == ("python3.12", 12.0, 256)
    assert items.environment["STAGE"] == "dev" and items.environment["TABLE"] == "items"
    assert items.environment["TABLE_ARN"] == "<Table.Arn>"  # only known once deployed
    assert items.layers == (PROJECTS / "sam-shop" / "layers" / "common",)
    (binding,) = items.bindings
    assert (binding.stage, binding.binary_media_types, binding.authorizer) == (
        "dev",
        ("image/png",),
        "TokenAuth",
    )
    assert routes(orders) == [
        ("function-url", "ANY", "/{proxy+}", True),
        ("http-1.0", "POST", "/orders", True),
        ("http-2.0", "GET", "/orders/{id}", True),
    ]
    assert orders.timeout == 5.0


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Worker", "triggered by SQS"),
        ("AuthFunction", "triggered by authorizer"),
        ("Report", "non-proxy integration"),  # an OpenAPI file with `type: aws`
    ],
)
def test_functions_that_are_not_api_handlers_say_why(name: str, reason: str) -> None:
    function = functions("sam-shop")[name]
    assert not function.is_api_handler
    assert reason in function.why_not_api


def test_parameter_overrides_reach_the_environment() -> None:
    items = functions("sam-shop", parameters={"Stage": "prod"})["Items"]
    assert items.environment["STAGE"] == "prod"
    assert items.bindings[0].stage == "prod"


def test_nested_stack_is_followed() -> None:
    project = load_project([PROJECTS / "nested" / "template.yaml"])
    assert [t.relative_to(PROJECTS) for t in project.templates] == [
        Path("nested/template.yaml"),
        Path("nested/child/template.yaml"),
    ]
    (hello,) = project.functions
    assert hello.module_path == PROJECTS / "nested" / "child" / "src" / "app.py"
    assert routes(hello) == [("rest", "GET", "/hello", True)]


def test_serverless_yml() -> None:
    found = functions("sls")
    assert routes(found["api"]) == [("http-2.0", "ANY", "/{proxy+}", True)]  # httpApi: '*'
    assert routes(found["legacy"]) == [
        ("rest", "GET", "/legacy/{id}", False),  # integration: lambda
        ("rest", "GET", "/ping", True),
    ]
    assert routes(found["url"]) == [("function-url", "ANY", "/{proxy+}", True)]
    assert found["consumer"].triggers[0].kind == "SQS"
    assert found["api"].environment["TABLE"] == "shop-dev"  # ${opt:stage, 'dev'}
    assert found["legacy"].timeout == 20.0 and found["api"].timeout == 6.0
    assert functions("sls", stage="prod")["api"].environment["TABLE"] == "shop-prod"


def test_serverless_placeholders_are_noted() -> None:
    project = load_project([PROJECTS / "sls"])
    assert any("${ssm:/shop/secret}" in note.text for note in project.notes)


def test_cdk_synthesized_template() -> None:
    found = functions("cdk")
    items = found["ItemsFn5C3D"]
    assert items.code_dir == PROJECTS / "cdk" / "cdk.out" / "asset.1234"
    assert routes(items) == [
        ("http-2.0", "GET", "/items", True),
        ("rest", "GET", "/items/{id}", True),  # through an alias, on a Resource tree
    ]
    assert found["WorkerFn11"].triggers[0].kind == "SQS"
    assert found["NodeFn"].runtime == "nodejs20.x"


def test_image_functions_read_their_handler() -> None:
    found = functions("image")
    assert found["FromCommand"].handler == "main.handler"
    assert found["FromDockerfile"].handler == "main.other"
    assert found["FromDockerfile"].code_dir == PROJECTS / "image" / "app"


def test_a_repository_with_several_projects() -> None:
    project = load_project([PROJECTS / "repo"])
    assert {f.name: f.is_api_handler for f in project.functions} == {"A": True, "b": False}


def test_a_template_the_translator_rejects_is_still_read(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Globals: {Function: {Runtime: python3.12}}\n"
        "Resources:\n"
        "  Img: {Type: AWS::Serverless::Function, Properties: {PackageType: Image}}\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      Handler: app.handler\n"
        "      Events: {Get: {Type: Api, Properties: {Path: /x, Method: GET}}}\n"
    )
    project = load_project([tmp_path])
    assert any("SAM cannot expand the template" in n.text for n in project.notes)
    assert [(f.name, f.is_api_handler) for f in project.functions] == [
        ("Img", False),
        ("Fn", True),
    ]


@pytest.mark.parametrize("text", ["Resources: [unclosed", "- just\n- a list\n"])
def test_unreadable_templates(tmp_path: Path, text: str) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    with pytest.raises(TemplateError, match=r"template\.yaml"):
        load_template(path)
    # found in a folder too: a scan without it would pass for a green one
    with pytest.raises(TemplateError, match=r"template\.yaml"):
        load_project([tmp_path])


def test_a_cdk_app_without_cdk_out_is_noted(tmp_path: Path) -> None:
    (tmp_path / "cdk.json").write_text('{"app": "python3 app.py"}')
    project = load_project([tmp_path])
    assert not project.templates
    assert any("cdk synth" in note.text for note in project.notes)


def test_a_cookiecutter_template_is_noted_not_misread(tmp_path: Path) -> None:
    folder = tmp_path / "{{cookiecutter.project_name}}"
    folder.mkdir()
    (folder / "template.yaml").write_text(
        "Resources:\n  Fn:\n    Properties:\n      Runtime: {{ cookiecutter.runtime }}\n"
    )
    (note,) = load_project([tmp_path]).notes
    assert "template engine" in note.text


def test_cors_and_authorizers_are_read_per_route() -> None:
    project = load_project([PROJECTS / "secured"])
    routes = {(b.method, b.path): b for f in project.functions for b in f.bindings}
    items = routes[("GET", "/items")]
    assert items.auth is not None and (items.auth.kind, items.auth.function) == (
        "token",
        "TokenFunction",
    )
    assert items.cors is not None and not items.cors.managed
    assert items.cors.origins == ("http://app.example",)
    assert routes[("GET", "/open")].auth is None  # Auth: {Authorizer: NONE}
    keyed = routes[("GET", "/keyed")].auth
    assert keyed is not None and keyed.identity == (("header", "X-Api-Key"),)
    orders, simple = routes[("GET", "/orders")], routes[("GET", "/simple")]
    assert orders.auth is not None and orders.auth.kind == "jwt"
    assert orders.auth.audience == ("app",) and orders.auth.issuer == "https://issuer.example"
    assert simple.auth is not None and simple.auth.simple_responses
    assert orders.cors is not None and orders.cors.managed and orders.cors.max_age == 600
    admin = routes[("GET", "/orders/admin")].auth
    assert orders.auth.scopes == () and admin is not None
    assert (admin.kind, admin.scopes) == ("jwt", ("orders/admin", "orders/all"))


def test_serverless_cors_true_answers_preflights(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider: {name: aws, runtime: python3.12, httpApi: {cors: true}}\n"
        "functions:\n  f:\n    handler: app.f\n    events:\n"
        "      - http: {path: a, method: get, cors: true}\n"
        "      - httpApi: 'GET /b'\n"
    )
    (binding_a, binding_b) = load_project([tmp_path]).functions[0].bindings
    assert binding_a.cors is not None and not binding_a.cors.managed
    assert binding_b.cors is not None and binding_b.cors.managed


def test_serverless_authorizers(tmp_path: Path) -> None:
    (tmp_path / "serverless.yml").write_text(
        "service: s\n"
        "provider:\n  name: aws\n  runtime: python3.12\n"
        "  httpApi:\n    authorizers:\n"
        "      jwtAuth: {type: jwt, identitySource: $request.header.Authorization,"
        " issuerUrl: https://issuer.example, audience: [app]}\n"
        "functions:\n"
        "  auth:\n    handler: auth.check\n"
        "  api:\n    handler: app.f\n    events:\n"
        "      - http: {path: a, method: get, authorizer: auth}\n"
        "      - httpApi: {path: /b, method: get, authorizer: {name: jwtAuth}}\n"
        "      - httpApi: {path: /c, method: get, authorizer: {name: jwtAuth, scopes: [b/read]}}\n"
    )
    found = {f.name: f for f in load_project([tmp_path]).functions}
    rest, http, scoped = found["api"].bindings
    assert rest.auth is not None and (rest.auth.kind, rest.auth.function) == ("token", "auth")
    assert http.auth is not None and http.auth.kind == "jwt" and http.auth.audience == ("app",)
    assert scoped.auth is not None and scoped.auth.scopes == ("b/read",)
    assert not found["auth"].is_api_handler and found["auth"].triggers[0].kind == "authorizer"


def test_cdk_authorizer_and_cors_resources() -> None:
    """CDK's shape: Method resources, an Authorizer resource, an OPTIONS mock Method."""
    found = load_project([PROJECTS / "cdk-secured"]).functions
    (binding,) = next(f for f in found if f.name == "Fn").bindings
    assert binding.auth is not None and binding.auth.kind == "token"
    assert (binding.auth.function, binding.auth.identity) == ("AuthFn", (("header", "X-Token"),))
    assert binding.cors is not None and binding.cors.origins == ("*",)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Resources:\n", "Resources section is empty"),
        ("Resources: {}\n", "Resources section is empty"),
        ("Resources: [a]\n", "Resources section is a list"),
        ("Resources: text\n", "Resources section is a string"),
        ("AWSTemplateFormatVersion: '2010-09-09'\n", "no Resources section"),
        ("Transform: AWS::Serverless-2016-10-31\nResources:\n", "Resources section is empty"),
        (
            "Resources:\n  A: null\n  B: [1]\n"
            "  C: {Type: AWS::Lambda::Function, Properties: null, Metadata: [1]}\n"
            "  D: {Type: AWS::ApiGatewayV2::Api, Properties: {Body: {paths: {/a: [1]}}}}\n",
            "",
        ),
        (
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  A: null\n"
            "  C: {Type: AWS::Serverless::Function, Properties: [1]}\n",
            "SAM cannot expand the template",
        ),
        (  # a translator plugin's own exception (it logged its traceback)
            "Transform: AWS::Serverless-2016-10-31\nGlobals: [1]\nResources:\n"
            "  Fn:\n    Type: AWS::Serverless::Function\n"
            "    Properties: {Handler: app.handler, Runtime: python3.12, Events:"
            " {G: {Type: Api, Properties: {Path: /, Method: GET}}}}\n",
            "SAM cannot expand the template",
        ),
    ],
)
def test_every_shape_of_resources_is_a_note(tmp_path: Path, text: str, said: str) -> None:
    (tmp_path / "template.yaml").write_text(text)
    # a real process: what libraries log goes to its stderr as it would for a user
    result = subprocess.run(
        [sys.executable, "-m", "apigw_doctor", "lint", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "Traceback" not in output, output
    assert said in " ".join(output.split())


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "", "42\n"])
def test_a_template_that_is_not_a_mapping_is_a_clear_error(tmp_path: Path, text: str) -> None:
    (tmp_path / "template.yaml").write_text(text)
    result = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "a template must be a mapping at the top level" in result.output


def test_a_cloudformation_route_s_authorization_scopes(tmp_path: Path) -> None:
    """``AWS::ApiGatewayV2::Route`` with ``AuthorizationScopes`` (CDK's HTTP API output)."""
    (tmp_path / "app.py").write_text("def f(event, context):\n    return {}\n")
    (tmp_path / "template.json").write_text(
        json.dumps(
            {
                "Resources": {
                    "Fn": {
                        "Type": "AWS::Lambda::Function",
                        "Properties": {"Handler": "app.f", "Runtime": "python3.12", "Code": "."},
                    },
                    "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {}},
                    "Auth": {
                        "Type": "AWS::ApiGatewayV2::Authorizer",
                        "Properties": {
                            "AuthorizerType": "JWT",
                            "IdentitySource": ["$request.header.Authorization"],
                            "JwtConfiguration": {
                                "Audience": ["app"],
                                "Issuer": "https://issuer.example",
                            },
                        },
                    },
                    "Integration": {
                        "Type": "AWS::ApiGatewayV2::Integration",
                        "Properties": {
                            "ApiId": {"Ref": "Api"},
                            "IntegrationType": "AWS_PROXY",
                            "IntegrationUri": {"Fn::GetAtt": ["Fn", "Arn"]},
                            "PayloadFormatVersion": "2.0",
                        },
                    },
                    "Route": {
                        "Type": "AWS::ApiGatewayV2::Route",
                        "Properties": {
                            "ApiId": {"Ref": "Api"},
                            "RouteKey": "GET /orders",
                            "AuthorizationType": "JWT",
                            "AuthorizerId": {"Ref": "Auth"},
                            "AuthorizationScopes": ["orders/read"],
                            "Target": {"Fn::Join": ["", ["integrations/", {"Ref": "Integration"}]]},
                        },
                    },
                }
            }
        )
    )
    (function,) = load_project([tmp_path]).functions
    (binding,) = function.bindings
    assert binding.auth is not None and binding.auth.kind == "jwt"
    assert binding.auth.issuer == "https://issuer.example"
    assert binding.auth.scopes == ("orders/read",)


def test_jwt_settings_the_template_computes_are_left_unchecked(tmp_path: Path) -> None:
    """``issuer: !Sub https://cognito-idp.${AWS::Region}...``, ``audience: [!Ref Client]``,
    ``AuthorizationScopes: [!Sub Admins-${Client}]`` (a real project's shape): not known
    here, so not compared (the expression's text matched no token: every one refused)."""
    (tmp_path / "app.py").write_text("def h(event, context):\n    return {}\n")
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\n"
        "Parameters:\n  Client: {Type: String}\n  Pool: {Type: String}\n"
        "Resources:\n"
        "  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      Auth:\n"
        "        Authorizers:\n          Jwt:\n"
        "            IdentitySource: $request.header.Authorization\n"
        "            JwtConfiguration:\n"
        "              issuer: !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}\n"
        "              audience: [!Ref Client]\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      Runtime: python3.12\n      Handler: app.h\n      Events:\n"
        "        Admin:\n          Type: HttpApi\n          Properties:\n"
        "            ApiId: !Ref Api\n            Path: /admin\n            Method: get\n"
        "            Auth: {Authorizer: Jwt, AuthorizationScopes: [!Sub 'Admins-${Client}']}\n"
    )
    (function,) = load_project([tmp_path]).functions
    (binding,) = function.bindings
    assert binding.auth is not None and binding.auth.kind == "jwt"
    assert (binding.auth.issuer, binding.auth.audience, binding.auth.scopes) == ("", (), ())


def test_serverless_jwt_settings_with_unknown_variables_are_left_unchecked(
    tmp_path: Path,
) -> None:
    """``issuerUrl: ${env:ISSUER_URL}``, ``audience: [${env:AUDIENCE}]``: a placeholder is
    no issuer a token can match, so the setting is not checked (known ones are)."""
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  region: eu-west-1\n"
        "  httpApi:\n    authorizers:\n"
        "      env: {type: jwt, issuerUrl: '${env:ISSUER_URL}', audience: ['${env:AUD}', app]}\n"
        "      known:\n        type: jwt\n"
        "        issuerUrl: 'https://cognito-idp.${self:provider.region}.amazonaws.com/p'\n"
        "        audience: [app]\n"
        "functions:\n  f:\n    handler: app.f\n    events:\n"
        "      - httpApi: {path: /a, method: get, authorizer: {name: env, scopes: ['${env:S}']}}\n"
        "      - httpApi: {path: /b, method: get, authorizer: {name: known, scopes: [b/read]}}\n"
    )
    unknown, known = load_project([tmp_path]).functions[0].bindings
    assert unknown.auth is not None and known.auth is not None
    assert (unknown.auth.issuer, unknown.auth.audience, unknown.auth.scopes) == ("", (), ())
    assert known.auth.issuer == "https://cognito-idp.eu-west-1.amazonaws.com/p"
    assert (known.auth.audience, known.auth.scopes) == (("app",), ("b/read",))
