"""Every test of ``logs`` runs once per search engine: the [fast] extra's Hyperscan
pass and the standard library's, which must give the same reports."""

import pytest

from apigw_doctor.logs import _fast


@pytest.fixture(autouse=True, params=_fast.ENGINES)
def logs_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine this run of the test uses, for the CLI in-process and in a subprocess."""
    engine: str = request.param
    if engine != "python" and _fast.available_engine() == "python":
        pytest.skip(f"{engine} is not installed (pip install 'apigw-doctor[fast]')")
    monkeypatch.setenv(_fast.ENGINE_VARIABLE, engine)
    assert _fast.engine() == engine
    return engine
