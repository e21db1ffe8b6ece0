"""Configuration: TOML plus environment, one clear error per bad key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ENVIRONMENT, ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def settings_from(tmp_path: Path, toml: str, **env: str) -> object:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    return load_settings({"QUIZBOT_CONFIG": str(path), **env})


def test_example_config_parses_and_documents_every_key() -> None:
    example = ROOT / "config.example.toml"
    settings = load_settings({"QUIZBOT_CONFIG": str(example)})
    assert settings.quiz.default_zone == "Asia/Shanghai"
    text = example.read_text(encoding="utf-8")
    from dataclasses import fields

    for section in fields(settings):
        if section.name == "source":
            continue
        assert f"[{section.name}]" in text
        for key in fields(getattr(settings, section.name)):
            assert f"\n# {key.name} =" in text or f"\n{key.name} =" in text, key.name


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path,
        '[database]\nurl = "sqlite+aiosqlite:///a.db"\n',
        BOT_TOKEN="1:abc",
        DATABASE_URL="sqlite+aiosqlite:///b.db",
    )
    assert settings.database.url == "sqlite+aiosqlite:///b.db"  # type: ignore[attr-defined]
    assert settings.telegram.token == "1:abc"  # type: ignore[attr-defined]
    assert "1:abc" not in repr(settings)


def test_every_environment_variable_overrides_its_key_and_is_documented(tmp_path: Path) -> None:
    values = {
        "telegram.token": "1:abc",
        "discord.token": "discord.abc",
        "telegram.mode": "webhook",
        "webhook.url": "https://quiz.example.org",
        "webhook.listen": "0.0.0.0",
        "webhook.port": "8080",
        "webhook.secret_token": "s3cret_-X",
        "health.listen": "0.0.0.0",
        "health.port": "9000",
        "database.url": "sqlite+aiosqlite:///b.db",
        "bank.path": "other.yaml",
    }
    assert set(values) == set(ENVIRONMENT.values())
    env = {variable: values[dotted] for variable, dotted in ENVIRONMENT.items()}
    settings = settings_from(tmp_path, "", **env)
    example = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    for variable, dotted in ENVIRONMENT.items():
        section, key = dotted.split(".")
        assert str(getattr(getattr(settings, section), key)) == values[dotted], variable
        assert f"#   {variable}" in example, variable


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"QUIZBOT_HEALTH_PORT": "80x"}, "QUIZBOT_HEALTH_PORT must be a whole number"),
        ({"QUIZBOT_WEBHOOK_PORT": "70000"}, "QUIZBOT_WEBHOOK_PORT must be a port number"),
        ({"QUIZBOT_MODE": "push"}, "QUIZBOT_MODE must be polling or webhook"),
        ({"QUIZBOT_WEBHOOK_SECRET": "has space"}, "QUIZBOT_WEBHOOK_SECRET must be 1-256"),
    ],
)
def test_bad_environment_value_names_the_variable(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, "", **env)
    assert message in str(caught.value)
    assert "has space" not in str(caught.value)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[quiz]\npass_mrk = 0.5\n", "unknown key `quiz.pass_mrk`"),
        ("[quizz]\n", "unknown section `quizz`"),
        ('[quiz]\npass_mark = "high"\n', "`quiz.pass_mark` in"),
        ('[quiz]\ndefault_zone = "Mars/Base"\n', "`quiz.default_zone` in"),
        ('[quiz]\ndefault_time = "25:00"\n', "`quiz.default_time` in"),
        ('[telegram]\nowners = [1, "x"]\n', "`telegram.owners` in"),
        ('[quiz]\nweekdays = ["mon", "funday"]\n', "`quiz.weekdays` in"),
        ("[quiz\n", "is not valid TOML"),
        ('[webhook]\nsecret_token = "a b"\n', "`webhook.secret_token` in"),
        ("[health]\nport = -1\n", "`health.port` in"),
        ('[health]\npath = "healthz"\n', "`health.path` in"),
        ('[telegram]\nhttp_client = "requests"\n', "`telegram.http_client` in"),
    ],
)
def test_bad_config_names_the_key_and_the_file(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, toml)
    assert message in str(caught.value)
    assert str(tmp_path / "config.toml") in str(caught.value)


def run_cli(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=cwd,
        timeout=60,
    )


def test_bad_config_exits_2_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[quiz]\ndefault_zone = "Mars/Base"\n', encoding="utf-8")
    result = run_cli("check-bank", env={"QUIZBOT_CONFIG": str(path), "BOT_TOKEN": "9:secret"})
    assert result.returncode == 2
    assert "quiz.default_zone" in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert "9:secret" not in result.stderr + result.stdout


def test_run_without_token_says_where_a_token_comes_from(tmp_path: Path) -> None:
    result = run_cli("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "make try" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("[quiz]\ntick_seconds = 1e-6\n", "quiz.tick_seconds"),
        ("[quiz]\ntick_seconds = inf\n", "quiz.tick_seconds"),
        ("[quiz]\ntick_seconds = nan\n", "quiz.tick_seconds"),
        ("[quiz]\ntick_seconds = 86400\n", "quiz.tick_seconds"),
        ("[quiz]\ngrace_minutes = 999999999999999999\n", "quiz.grace_minutes"),
        ("[quiz]\nreveal_after_hours = 100000\n", "quiz.reveal_after_hours"),
        ("[quiz]\npass_mark = inf\n", "quiz.pass_mark"),
        ("[telegram]\nowners = [-5]\n", "telegram.owners"),
        ("[webhook]\nport = 99999999999\n", "webhook.port"),
    ],
)
def test_every_numeric_key_has_a_sensible_range(tmp_path: Path, toml: str, key: str) -> None:
    with pytest.raises(ConfigError, match=f"`{key}` in .* must be"):
        settings_from(tmp_path, toml)


def test_a_config_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes("[quiz]\ndefault_zone = 'Asia/Shanghai' # 上海\n".encode("gb18030"))
    result = run_cli("check-bank", env={"QUIZBOT_CONFIG": str(path)})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not UTF-8" in result.stderr and str(path) in result.stderr
    assert result.stderr.strip().count("\n") == 0


@pytest.mark.parametrize("value", ["²", "٣٠٠٠", "99999999999999999999"])
def test_a_port_that_only_looks_like_digits_is_one_line(value: str) -> None:
    result = run_cli("check-bank", env={"QUIZBOT_WEBHOOK_PORT": value})
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "QUIZBOT_WEBHOOK_PORT" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_a_bad_secret_in_the_file_is_never_shown(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, '[webhook]\nsecret_token = "my secret value"\n')
    assert "my secret value" not in str(caught.value) and "(hidden)" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        settings_from(tmp_path, "[telegram]\ntoken = 123456\n")
    assert "123456" not in str(caught.value)
