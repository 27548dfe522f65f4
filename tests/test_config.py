from __future__ import annotations

from pathlib import Path

import pytest

from akhbar.config import REGISTRY, load_settings
from akhbar.errors import ConfigError


def test_defaults_derive_database_url_from_data_dir(tmp_path: Path) -> None:
    settings = load_settings(environ={}, config_file=tmp_path / "none.toml")
    assert settings.data_dir == "./akhbar-data"
    assert settings.database_url == f"sqlite:///{(Path('./akhbar-data').resolve() / 'akhbar.db')}"
    assert settings.origins["port"] == "default"


def test_layers_in_order_toml_then_environment_then_flags(tmp_path: Path) -> None:
    toml = tmp_path / "akhbar.toml"
    toml.write_text('[akhbar]\nport = 9000\nhost = "0.0.0.0"\nlog_level = "debug"\n', encoding="utf-8")
    env = {"AKHBAR_PORT": "9100", "AKHBAR_DATA_DIR": str(tmp_path)}
    settings = load_settings({"port": 9200}, environ=env, config_file=toml)
    assert settings.port == 9200
    assert settings.origins["port"] == "command line"
    assert settings.host == "0.0.0.0"
    assert settings.origins["host"] == str(toml)
    assert settings.log_level == "DEBUG"
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'akhbar.db'}"
    without_flag = load_settings(environ=env, config_file=toml)
    assert without_flag.port == 9100
    assert without_flag.origins["port"] == "environment"


def test_config_file_from_environment(tmp_path: Path) -> None:
    toml = tmp_path / "custom.toml"
    toml.write_text("port = 8123\n", encoding="utf-8")
    assert load_settings(environ={"AKHBAR_CONFIG": str(toml)}).port == 8123


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AKHBAR_PORT": "eighty"}, "invalid port from environment"),
        ({"AKHBAR_PORT": "70000"}, "invalid port"),
        ({"AKHBAR_FETCH_ALLOW_NETWORKS": "127.0.0.0/8,not-a-net"}, "invalid fetch_allow_networks"),
        ({"AKHBAR_LOG_LEVEL": "loud"}, "invalid log_level"),
        ({"AKHBAR_ALLOWED_HOSTS": "https://news.example.org"}, "invalid allowed_hosts.*not a host name"),
        ({"AKHBAR_ALLOWED_HOSTS": "news.example.org:8000"}, "invalid allowed_hosts"),
        ({"AKHBAR_ALLOWED_HOSTS": "news.*.org"}, "invalid allowed_hosts"),
        ({"AKHBAR_ALLOWED_HOSTS": "*,news.example.org"}, "invalid allowed_hosts.*list it alone"),
        ({"AKHBAR_ALLOWED_HOSTS": " , "}, "invalid allowed_hosts.*at least one"),
        ({"AKHBAR_ALLOWED_HOSTS": "[::zz]"}, "invalid allowed_hosts"),
    ],
)
def test_invalid_values_are_refused_with_their_origin(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=env, config_file=tmp_path / "none.toml")


def test_unknown_setting_in_file_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "akhbar.toml"
    toml.write_text("[akhbar]\nprot = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'prot'"):
        load_settings(environ={}, config_file=toml)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    toml = tmp_path / "akhbar.toml"
    toml.write_text("port = = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(environ={}, config_file=toml)


def test_networks_are_normalised(tmp_path: Path) -> None:
    env = {"AKHBAR_FETCH_ALLOW_NETWORKS": " 127.0.0.1/8 , ::1/128"}
    settings = load_settings(environ=env, config_file=tmp_path / "none.toml")
    assert settings.fetch_allow_networks == "127.0.0.0/8,::1/128"


def test_allowed_hosts_are_normalised(tmp_path: Path) -> None:
    env = {"AKHBAR_ALLOWED_HOSTS": " News.Example.ORG, *.example.org ,127.0.0.1,[::1]"}
    settings = load_settings(environ=env, config_file=tmp_path / "none.toml")
    assert settings.allowed_hosts == "news.example.org,*.example.org,127.0.0.1,[::1]"
    assert load_settings(environ={}, config_file=tmp_path / "none.toml").allowed_hosts == "*"


def test_secrets_are_masked(tmp_path: Path) -> None:
    env = {"AKHBAR_DATABASE_URL": "postgresql+psycopg://news:hunter2@db.example:5432/akhbar"}
    shown = load_settings(environ=env, config_file=tmp_path / "none.toml").masked()
    assert "hunter2" not in shown["database_url"]
    assert shown["database_url"] == "postgresql+psycopg://news:***@db.example:5432/akhbar"


def test_every_setting_is_documented() -> None:
    for setting in REGISTRY:
        assert setting.help.strip(), setting.name
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for setting in REGISTRY:
        assert setting.env_var in readme, f"{setting.env_var} is not documented in README.md"
