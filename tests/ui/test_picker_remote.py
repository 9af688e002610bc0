"""The picker with an Enterprise Gateway and a JupyterHub whose server is stopped."""

from __future__ import annotations

import pytest

from tests.fixtures.gateway import EnterpriseGateway
from tests.fixtures.jupyterhub import JupyterHubService
from tests.fixtures.kernelspecs import KernelSpecs
from tests.ui.helpers import wait_for
from tests.ui.test_picker import UNSET, PickerHost, close_all, ids, picker, row_text
from tnb.session.sources import server_entry
from tnb.ui.screens.kernel_picker import KernelPickerScreen, PickedKernel

pytestmark = pytest.mark.timeout(240)


async def test_gateway_is_listed_like_any_server(
    enterprise_gateway: EnterpriseGateway, kernelspecs: KernelSpecs
) -> None:
    entries = [server_entry(enterprise_gateway.url, token=enterprise_gateway.token)]
    app = PickerHost(KernelPickerScreen(entries))
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            row = f"c:0:server:{enterprise_gateway.url}:spec:{kernelspecs.python}"
            await wait_for(pilot, lambda: row in ids(app), "the gateway's kernelspecs")
            assert entries[0].label == f"Enterprise Gateway {enterprise_gateway.url}"
            options = picker(app).option_list.options
            assert any("Enterprise Gateway" in str(o.prompt) for o in options)
            picker(app)._select_id(row)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.result is not UNSET, "the choice")
        assert isinstance(app.result, PickedKernel) and app.result.choice.name == "tnb-python"
    finally:
        await close_all(entries)


async def test_stopped_hub_server_starts_on_enter(
    jupyterhub: JupyterHubService, kernelspecs: KernelSpecs
) -> None:
    url = jupyterhub.server_url("picked")
    entries = [server_entry(url, token=jupyterhub.user_token)]
    app = PickerHost(KernelPickerScreen(entries))
    try:
        async with app.run_test(size=(100, 40)) as pilot:
            await wait_for(pilot, lambda: "e:0" in ids(app), "the stopped server")
            text = row_text(app, "e:0")
            assert "alice/picked" in text and "not running" in text
            assert "enter: start the server on the hub" in text
            picker(app)._select_id("e:0")
            await pilot.press("enter")
            row = f"c:0:server:{url}:spec:{kernelspecs.python}"
            await wait_for(pilot, lambda: row in ids(app), "the started server's kernelspecs")
            assert entries[0].label.startswith("JupyterHub alice/picked ")
    finally:
        await close_all(entries)
        jupyterhub.stop_server("picked")
