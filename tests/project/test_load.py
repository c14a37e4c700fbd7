"""The project model, read from small projects of every shape (tests/project/projects)."""

from pathlib import Path

import pytest

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
    )
    found = {f.name: f for f in load_project([tmp_path]).functions}
    rest, http = found["api"].bindings
    assert rest.auth is not None and (rest.auth.kind, rest.auth.function) == ("token", "auth")
    assert http.auth is not None and http.auth.kind == "jwt" and http.auth.audience == ("app",)
    assert not found["auth"].is_api_handler and found["auth"].triggers[0].kind == "authorizer"


def test_cdk_authorizer_and_cors_resources() -> None:
    """CDK's shape: Method resources, an Authorizer resource, an OPTIONS mock Method."""
    found = load_project([PROJECTS / "cdk-secured"]).functions
    (binding,) = next(f for f in found if f.name == "Fn").bindings
    assert binding.auth is not None and binding.auth.kind == "token"
    assert (binding.auth.function, binding.auth.identity) == ("AuthFn", (("header", "X-Token"),))
    assert binding.cors is not None and binding.cors.origins == ("*",)
