"""Typed settings: one object, read from the environment (``GOVSOCIAL_*``) and an optional TOML file.

Nothing is read at import time. ``Settings.load()`` is called by the CLI and by whoever builds the
web app, and the object is passed down explicitly, so tests can build as many isolated
configurations as they need.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SecretsSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from govsocial.errors import ConfigurationError

#: The repository root when running from a checkout (``pip install -e``), where the bundled
#: registry lives in ``data/registry``.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Environment variable naming an optional TOML settings file.
CONFIG_ENV = "GOVSOCIAL_CONFIG"
#: Environment variable naming an optional folder of secret files (Docker or Kubernetes secrets):
#: one file per setting, named like its variable (``GOVSOCIAL_FACEBOOK_TOKEN``, any case), holding
#: the value (a final newline is dropped).
SECRETS_DIR_ENV = "GOVSOCIAL_SECRETS_DIR"


class Settings(BaseSettings):
    """Every setting govsocial reads. Each one is documented in ``docs/configuration.md``."""

    model_config = SettingsConfigDict(env_prefix="GOVSOCIAL_", extra="forbid")

    #: Read by ``settings_customise_sources``; set per load through ``Settings.load``.
    _toml_file: ClassVar[Path | None] = None
    _secrets_dir: ClassVar[Path | None] = None

    database_url: str = Field(
        default="sqlite:///var/govsocial.db",
        description="SQLAlchemy URL of the store: sqlite:///PATH or postgresql+psycopg://...",
    )
    registry_dir: Path = Field(
        default=PROJECT_ROOT / "data" / "registry",
        description="Folder of the bundled registry, one sub-folder per jurisdiction.",
    )
    # Published period reports (docs/reports.md): `govsocial report --publish` writes, the portal lists.
    reports_dir: Path = Field(
        default=Path("var/reports"), description="Folder of published reports the portal offers for download."
    )
    jurisdiction: str = Field(default="hk", description="Code of the default jurisdiction.")
    default_locale: Literal["zh-hant", "zh-hans", "en"] = Field(
        default="zh-hant", description="Interface language when none is chosen: zh-hant, zh-hans or en."
    )
    host: str = Field(default="127.0.0.1", description="Address the portal listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the portal listens on: 1 to 65535.")
    page_size: int = Field(default=50, ge=1, le=500, description="Default API page size.")
    page_cache_seconds: float = Field(
        default=10,
        ge=0,
        description="How long each worker serves a rendered page or API answer again without "
        "rendering it (0: render every request); pages may be this much older than the store.",
    )
    max_page_size: int = Field(default=500, ge=1, description="Largest page size the API allows.")
    review_interval_days: int = Field(
        default=183, ge=1, description="An account not reviewed for this long is due for re-review."
    )
    pseudonym_key: SecretStr | None = Field(
        default=None, description="Secret key for commenter pseudonyms (HMAC). Never logged."
    )
    facebook_token: SecretStr | None = Field(default=None, description="Graph API token for Facebook Pages.")
    instagram_token: SecretStr | None = Field(default=None, description="Graph API token for Instagram.")
    instagram_user_id: str | None = Field(
        default=None, description="IG user id of the collecting account, for business discovery of others."
    )
    youtube_api_key: SecretStr | None = Field(default=None, description="YouTube Data API v3 key.")
    x_bearer_token: SecretStr | None = Field(default=None, description="X API v2 app-only bearer token.")
    threads_token: SecretStr | None = Field(default=None, description="Threads API user token.")
    graph_api_version: str = Field(
        default="v23.0", description="Pinned Facebook/Instagram Graph API version."
    )
    api_base_urls: dict[str, str] = Field(
        default_factory=dict,
        description='Per-platform API root overrides (a proxy, a test server): {"facebook": "http://..."}.',
    )
    collect_refresh_days: int = Field(
        default=7, ge=0, description="Posts this recent are re-read every run: fresh counts and new comments."
    )
    collect_first_run_days: int | None = Field(
        default=None,
        ge=1,
        description="An account's first collection reads only the posts of the last N days; "
        "unset: as far back as the platform's listing goes.",
    )
    collect_skip_platforms: list[str] = Field(
        default_factory=list,
        description='Platforms that --all, --org and the scheduler leave out, e.g. ["x"] without an X '
        "API plan: their accounts are not collected, rather than failing every run for want of a credential.",
    )
    collect_concurrency: int = Field(default=4, ge=1, le=64, description="Accounts collected at once.")
    collect_processes: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Processes a collection runs in, each on a share of the accounts (uses more cores).",
    )
    collect_interval_minutes: int = Field(
        default=360, ge=5, description="Default interval between scheduled collections of an account."
    )
    sentiment_analyser: str = Field(
        default="",
        description="Analyser that scores comment sentiment (a plugin NAME[:ARG] or a model folder); "
        "empty: the default analyser.",
    )
    comment_retention_days: int = Field(
        default=730,
        ge=0,
        description="Comment texts older than this many days are purged (and raw payloads and quarantined "
        "records kept this long) by every metrics refresh and `govsocial privacy purge`; counts, labels "
        "and metrics stay. 0: keep them forever.",
    )
    # The metric parameters (docs/metrics.md, "Parameters"). Their rules live with MetricParams, above
    # this module: ``analyze.metrics.params.configured`` checks them, and every command and the
    # portal call it as they start, so a bad one is refused before any work (one line, as here).
    metric_params: dict[str, Any] = Field(
        default_factory=dict,
        description="Metric parameters that differ from the documented defaults (docs/metrics.md), "
        'e.g. {"business_hours": [8, 17], "response_hours": 48}: a [metric_params] table in the '
        "settings file.",
    )
    # The admin area (docs/admin.md).
    admin_secure_cookies: bool = Field(
        default=True,
        description="Mark the admin session cookie Secure (sent over HTTPS only); false only for plain-HTTP "
        "development on another host than localhost.",
    )
    admin_session_minutes: int = Field(
        default=480, ge=1, description="How long an admin sign-in lasts before it must be repeated."
    )
    admin_login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins per username (four times as many per client address) before sign-in "
        "is refused for the rest of the window.",
    )
    admin_login_window_minutes: int = Field(
        default=15, ge=1, description="The window over which failed admin sign-ins are counted."
    )
    admin_upload_max_bytes: int = Field(
        default=50 * 2**20, ge=1, description="Largest file the admin import accepts (bigger: 413)."
    )
    # Alerts by email (docs/alerts.md).
    smtp_host: str | None = Field(
        default=None, description="SMTP server that sends alert emails; unset: none."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Port of the SMTP server.")
    smtp_user: str | None = Field(default=None, description="SMTP user name; unset: no sign-in.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_from: str = Field(default="govsocial@localhost", description="Sender address of alert emails.")
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP connection with STARTTLS.")
    portal_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
        description="The portal's public address (https://...), for the links of alert emails and webhooks.",
    )
    alert_webhook_timeout_seconds: float = Field(
        default=10.0, gt=0, description="How long an alert webhook may take to answer, per try."
    )
    alert_email_max_per_hour: int = Field(
        default=20,
        ge=1,
        description="Alert emails per recipient per hour; alerts beyond go out together in one digest "
        "email by the next `govsocial alerts run` the window allows.",
    )
    alert_email_daily_digest: bool = Field(
        default=False,
        description="Send each recipient one digest email a day with every alert since the last, "
        "instead of an email per alert (webhooks stay immediate).",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Precedence: explicit arguments, the environment, the secrets folder, then the TOML file.
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls._secrets_dir is not None:
            sources.append(SecretsSettingsSource(settings_cls, secrets_dir=cls._secrets_dir))
        if cls._toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls._toml_file))
        return tuple(sources)

    @classmethod
    def load(cls, config_file: Path | None = None, **overrides: Any) -> Settings:
        """Build settings from ``overrides``, the environment and a TOML file.

        The file is ``config_file`` if given, else the one named by ``GOVSOCIAL_CONFIG``; secrets
        may also come from the folder named by ``GOVSOCIAL_SECRETS_DIR``. A file or folder that is
        not there, and a value that breaks its setting's rule, raise ``ConfigurationError``: one
        line naming the setting, where its value came from and the rule, never the value itself
        (it may be a secret).
        """
        sources = _Sources(overrides, config_path(config_file), _secrets_dir())
        cls._toml_file, cls._secrets_dir = sources.toml_file, sources.secrets_dir
        try:
            return cls(**overrides)
        except ValidationError as exc:
            # ``from None``: pydantic's own message holds every input value, secrets included.
            raise ConfigurationError("; ".join(sources.explain(e) for e in exc.errors())) from None
        except tomllib.TOMLDecodeError as exc:  # its message names the line, never the text
            raise ConfigurationError(f"settings file {sources.toml_file}: not valid TOML: {exc}") from None
        except SettingsError as exc:
            raise ConfigurationError(sources.unparsable(str(exc))) from None
        except OSError as exc:
            raise ConfigurationError(f"cannot read {exc.filename}: {exc.strerror}") from None
        finally:
            cls._toml_file = cls._secrets_dir = None

    @property
    def is_sqlite(self) -> bool:
        """Whether the store is the embedded SQLite database."""
        return self.database_url.startswith("sqlite")


def environment_variable(setting: str) -> str:
    """The environment variable that sets ``setting`` (``x_bearer_token`` ->
    ``GOVSOCIAL_X_BEARER_TOKEN``): the prefix, then the name, in upper case as the docs write it
    (pydantic-settings matches it in any case). Messages name it for operators, who set secrets there."""
    return f"{Settings.model_config.get('env_prefix', '')}{setting}".upper()


def config_path(config_file: Path | None = None) -> Path | None:
    """The TOML settings file: ``config_file`` (``govsocial --config``) if given, else the one named
    by ``GOVSOCIAL_CONFIG``; None if neither. One that is not a file is an error: the systemd units
    and the portal's worker processes name theirs in ``GOVSOCIAL_CONFIG``, and a typo there must not
    leave them running on the defaults (another database, no tokens) unnoticed."""
    named_by = "" if config_file is not None else f" (named by {CONFIG_ENV})"
    path = config_file or (Path(os.environ[CONFIG_ENV]) if os.environ.get(CONFIG_ENV) else None)
    if path is None or path.is_file():
        return path
    problem = "not a file" if path.exists() else "no such file"
    raise ConfigurationError(f"settings file {path}{named_by}: {problem}")


def _secrets_dir() -> Path | None:
    """The folder named by ``GOVSOCIAL_SECRETS_DIR``, which must exist; None if unset."""
    value = os.environ.get(SECRETS_DIR_ENV)
    if not value:
        return None
    folder = Path(value)
    if not folder.is_dir():
        # A mount that failed must not leave the collectors running without their tokens unnoticed.
        raise ConfigurationError(f"{SECRETS_DIR_ENV}={value}: not a folder")
    return folder


#: pydantic's wording of a rule, reworded to follow the setting's name ("port: must be ...").
_SHOULD = re.compile(r"^Input should\b")
#: How pydantic-settings names a field whose value is not valid JSON (a dict or list setting).
_UNPARSABLE_FIELD = re.compile(r'field "(?P<name>\w+)"')


@dataclass(frozen=True)
class _Sources:
    """Where one load's values come from, to say where a bad one came from (in the order of
    precedence ``settings_customise_sources`` gives)."""

    overrides: Mapping[str, Any]
    toml_file: Path | None
    secrets_dir: Path | None

    def explain(self, error: ErrorDetails) -> str:
        """One validation error as ``setting (from where): rule``, without the value."""
        name = str(error["loc"][0]) if error["loc"] else "?"
        where = self.origin(name)
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(name, Settings.model_fields, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            return f"{name} (in {where}): not a setting{hint}; the settings are in docs/configuration.md"
        path = ".".join(str(part) for part in error["loc"])
        return f"{path} (from {where}): {_SHOULD.sub('must', error['msg'])}"

    def unparsable(self, message: str) -> str:
        """pydantic-settings' "error parsing value for field ..." (JSON it cannot read), reworded."""
        match = _UNPARSABLE_FIELD.search(message)
        if match is None:
            return f"a setting could not be read: {message}"
        name = match["name"]
        return f"{name} (from {self.origin(name)}): must be JSON (see docs/configuration.md)"

    def origin(self, name: str) -> str:
        """The source a setting's value was read from: the first that has it."""
        variable = environment_variable(name).lower()
        if name in self.overrides:
            return "the value given to Settings.load"
        for key in os.environ:  # matched in any case, as pydantic-settings matches them
            if key.lower() == variable:
                return f"the environment variable {key}"
        if self.secrets_dir is not None:
            for path in sorted(self.secrets_dir.iterdir()):
                if path.name.lower() == variable:
                    return f"the secrets file {path}"
        if self.toml_file is not None:
            return f"settings file {self.toml_file}"
        return "the defaults"
