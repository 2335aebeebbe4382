"""A connector without its credential says where an operator gives it: the setting's name and the
environment variable that sets it (operators set secrets in the environment), never a value."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
from sqlalchemy import create_engine

from govsocial.collect.base import Connector, Target
from govsocial.collect.errors import AccessError, AuthError, credential_names
from govsocial.collect.facebook.client import FacebookConnector
from govsocial.collect.instagram.client import InstagramConnector
from govsocial.collect.runner import Runner
from govsocial.collect.threads.client import ThreadsConnector
from govsocial.collect.x.client import XConnector
from govsocial.collect.youtube.client import YouTubeConnector
from govsocial.settings import Settings, environment_variable
from tests.collect.harness import ConnectorHarness

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def _target(platform: str, kind: str, handle: str, platform_id: str | None = None) -> Target:
    return Target(account_id=1, platform=platform, kind=kind, handle=handle, platform_id=platform_id)


# fmt: off
# One row per connector with a credential: its class, an account of its platform, and what the
# message must name (written out here, as docs/configuration.md lists them).
CONNECTORS = [
    pytest.param(FacebookConnector, _target("facebook", "page", "cfs.hk", "1234567890"),
                 "facebook_token", "GOVSOCIAL_FACEBOOK_TOKEN", id="facebook"),
    pytest.param(InstagramConnector, _target("instagram", "account", "owner_1", "17841400000000000"),
                 "instagram_token", "GOVSOCIAL_INSTAGRAM_TOKEN", id="instagram"),
    pytest.param(XConnector, _target("x", "handle", "TwitterDev"),
                 "x_bearer_token", "GOVSOCIAL_X_BEARER_TOKEN", id="x"),
    pytest.param(YouTubeConnector, _target("youtube", "id", "UC_x5XG1OV2P6uZZ5FSM9Ttw"),
                 "youtube_api_key", "GOVSOCIAL_YOUTUBE_API_KEY", id="youtube"),
    pytest.param(ThreadsConnector, _target("threads", "handle", "examplegov"),
                 "threads_token", "GOVSOCIAL_THREADS_TOKEN", id="threads"),
]
# fmt: on


def _refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"{request.url}: requested without a credential")


@pytest.mark.parametrize(("connector", "target", "setting", "variable"), CONNECTORS)
def test_a_connector_without_its_credential_names_the_setting_and_the_variable(
    connector: type[Connector], target: Target, setting: str, variable: str
) -> None:
    harness = ConnectorHarness(_refuse, connector, "unused", "https://api.example", NOW)
    harness.connector.token = None
    with pytest.raises(AuthError) as caught:
        harness.run(target)
    assert f"(setting {setting}, environment variable {variable})" in str(caught.value)
    assert harness.requests == []


@pytest.mark.parametrize(("connector", "target", "setting", "variable"), CONNECTORS)
def test_the_runner_without_a_credential_names_the_setting_and_the_variable(
    connector: type[Connector], target: Target, setting: str, variable: str
) -> None:
    runner = Runner(create_engine("sqlite://"), Settings.load(pseudonym_key="k"))

    async def made() -> Connector:
        async with httpx.AsyncClient() as client:
            return runner._connector(client, target.platform)

    with pytest.raises(AccessError) as caught:
        asyncio.run(made())
    assert (
        str(caught.value)
        == f"{target.platform}: no credential configured (setting {setting}, environment variable {variable})"
    )


@pytest.mark.parametrize(("connector", "target", "setting", "variable"), CONNECTORS)
def test_the_variable_named_is_the_one_the_settings_read(
    connector: type[Connector], target: Target, setting: str, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert connector.credential_setting == setting
    assert environment_variable(setting) == variable
    assert credential_names(setting) == f"setting {setting}, environment variable {variable}"
    monkeypatch.setenv(variable, "a-secret-value")
    assert getattr(Settings.load(), setting).get_secret_value() == "a-secret-value"
