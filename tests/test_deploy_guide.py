"""docs/deploy.md as written: every akhbar command in its code blocks exists and parses, its
akhbar.toml is valid settings, and its nginx configuration passes ``nginx -t``."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from akhbar.config import load_settings
from test_cli_readme import parse

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "deploy.md"
_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SHELL = {"&&", "||", ";", "|", ">", "<"}


def blocks(language: str | None = None) -> list[str]:
    found = _BLOCK.findall(GUIDE.read_text(encoding="utf-8"))
    return [body for lang, body in found if language is None or lang == language]


def commands() -> list[list[str]]:
    """``akhbar ARGS`` wherever a code block runs it (a shell line, a systemd ExecStart)."""
    found = []
    for body in blocks():
        for line in body.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith("#"):
                continue
            line = line.removeprefix("ExecStart=")
            words = shlex.split(line.replace("$(date +%F)", "DATE"))
            while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):  # VAR=value akhbar ...
                words.pop(0)
            if words and (words[0] == "akhbar" or words[0].endswith("/bin/akhbar")):
                args = []
                for arg in words[1:]:
                    if arg in _SHELL:
                        break
                    args.append(arg)
                found.append(args)
    return found


def test_every_command_of_the_guide_exists_and_parses() -> None:
    found = commands()
    named = {" ".join(args[:2]) if args[0] == "db" else args[0] for args in found}
    assert named >= {"serve", "worker", "db upgrade", "db backup", "status", "config"}, named
    for args in found:
        parse(args)


def test_the_guides_settings_are_valid(tmp_path: Path) -> None:
    [toml] = [body for body in blocks("toml") if "[akhbar]" in body]
    config = tmp_path / "akhbar.toml"
    config.write_text(toml, encoding="utf-8")
    settings = load_settings(environ={}, config_file=config)
    assert settings.origins["forwarded_allow_ips"] == str(config)
    assert settings.web_workers == 4 and settings.log_format == "json"
    environment = next(body for body in blocks("sh") if "AKHBAR_DATABASE_URL=" in body)
    variables = dict(
        line.split("=", 1) for line in environment.splitlines() if "=" in line and not line.startswith("#")
    )
    load_settings(environ=variables, config_file=config)


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None, reason="no nginx")
def test_the_nginx_configuration_passes_nginx_t(tmp_path: Path) -> None:
    [site] = blocks("nginx")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=news.example.org",
         "-days", "1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    site = site.replace("/etc/letsencrypt/live/news.example.org/fullchain.pem", str(cert))
    site = site.replace("/etc/letsencrypt/live/news.example.org/privkey.pem", str(key))
    site = site.replace("/var/cache/nginx/akhbar", str(tmp_path / "cache"))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {tmp_path}/body;\n proxy_temp_path {tmp_path}/proxy;\n"
        f" include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
