"""What a real Enterprise Gateway and a real JupyterHub answer: the facts tnb's detection uses."""

from __future__ import annotations

from tests.fixtures.gateway import EnterpriseGateway
from tests.fixtures.jupyterhub import JupyterHubService
from tests.fixtures.processes import call_json


def test_gateway_has_api_but_no_status_sessions_or_kernel_list(
    enterprise_gateway: EnterpriseGateway,
) -> None:
    gw = enterprise_gateway
    assert "gateway_version" in gw.api and str(gw.api["gateway_version"]).startswith("3.")
    get = {
        path: call_json(gw.url + path, token=gw.token)
        for path in (
            "api",
            "api/status",
            "api/sessions",
            "api/kernels",
            "api/kernelspecs",
            "api/contents",
        )
    }
    assert get["api"][0] == 200
    assert get["api/status"][0] == 404
    assert get["api/sessions"][0] == 403
    assert get["api/kernels"][0] == 403  # listing kernels is off by default
    assert get["api/kernelspecs"][0] == 200
    assert get["api/contents"][0] == 404
    assert call_json(gw.url + "api", token="wrong")[0] == 401


def test_hub_api_user_and_stopped_server_redirect(jupyterhub: JupyterHubService) -> None:
    hub = jupyterhub
    status, version = call_json(hub.url + "hub/api/", token="")
    assert status == 200 and isinstance(version, dict) and "version" in version
    status, user = hub.api("user", token=hub.user_token)
    assert status == 200 and isinstance(user, dict) and user["name"] == hub.user
    assert hub.api("user", token="wrong")[0] == 403
