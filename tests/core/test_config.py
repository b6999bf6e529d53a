"""ScalekitConfig: every problem named by what the user has to change, in one error."""

from __future__ import annotations

import pytest

from scalekit_core import ConfigurationError, ScalekitConfig

SECRET = "sk_live_do_not_print_me"
ENV = {
    "SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.dev",
    "SCALEKIT_CLIENT_ID": "skc_1",
    "SCALEKIT_CLIENT_SECRET": SECRET,
}


def from_env_error(**variables: str) -> str:
    with pytest.raises(ConfigurationError) as info:
        ScalekitConfig.from_env({**ENV, **variables})
    return str(info.value)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SCALEKIT_ENVIRONMENT_URL", "acme.scalekit.dev", "must be an absolute http(s) URL"),
        ("SCALEKIT_ENVIRONMENT_URL", "ftp://acme.scalekit.dev", "must be an absolute http(s) URL"),
        ("SCALEKIT_REDIRECT_URI", "/callback", "must be an absolute http(s) URL"),
        ("SCALEKIT_POST_LOGOUT_REDIRECT_URI", "javascript:x", "must be an absolute http(s) URL"),
        ("SCALEKIT_LEEWAY", "-5", "must not be negative"),
        ("SCALEKIT_LEEWAY", "soon", "must be a number of seconds"),
        ("SCALEKIT_LEEWAY", "nan", "must be a finite number of seconds"),
        ("SCALEKIT_LEEWAY", "inf", "must be a finite number of seconds"),
    ],
)
def test_a_malformed_variable_is_named_by_its_environment_name(
    variable: str, value: str, message: str
) -> None:
    assert from_env_error(**{variable: value}) == f"{variable} {message}"


def test_every_problem_is_reported_at_once() -> None:
    environ = {
        "SCALEKIT_ENVIRONMENT_URL": "acme.scalekit.dev",
        "SCALEKIT_CLIENT_SECRET": SECRET,
        "SCALEKIT_LEEWAY": "-5",
        "SCALEKIT_REDIRECT_URI": "callback",
    }
    with pytest.raises(ConfigurationError) as info:
        ScalekitConfig.from_env(environ)
    assert str(info.value) == (
        "missing environment variables: SCALEKIT_CLIENT_ID; "
        "SCALEKIT_ENVIRONMENT_URL must be an absolute http(s) URL; "
        "SCALEKIT_REDIRECT_URI must be an absolute http(s) URL; "
        "SCALEKIT_LEEWAY must not be negative"
    )


def test_no_value_is_echoed() -> None:
    # A secret pasted into the wrong variable must not reach the log line that prints the error.
    message = from_env_error(
        SCALEKIT_ENVIRONMENT_URL=SECRET, SCALEKIT_REDIRECT_URI=SECRET, SCALEKIT_LEEWAY=SECRET
    )
    assert "SCALEKIT_ENVIRONMENT_URL" in message and "SCALEKIT_LEEWAY" in message
    assert SECRET not in message


def test_a_custom_prefix_names_the_prefixed_variable() -> None:
    environ = {key.replace("SCALEKIT_", "SSO_"): value for key, value in ENV.items()}
    with pytest.raises(ConfigurationError) as info:
        ScalekitConfig.from_env({**environ, "SSO_LEEWAY": "-1"}, prefix="SSO_")
    assert str(info.value) == "SSO_LEEWAY must not be negative"


def test_overrides_are_named_by_field_and_replace_the_variable() -> None:
    with pytest.raises(ConfigurationError) as info:
        ScalekitConfig.from_env(ENV, read_timeout=-1.0)
    assert str(info.value) == "read_timeout must not be negative"
    # The override wins, so the variable it replaces is not judged.
    config = ScalekitConfig.from_env({**ENV, "SCALEKIT_LEEWAY": "soon"}, leeway=5.0)
    assert config.leeway == 5.0
    assert ScalekitConfig.from_env({}, env_url="https://x.test", client_id="a", client_secret="b")


def test_valid_variables_are_parsed() -> None:
    config = ScalekitConfig.from_env(
        {
            **ENV,
            "SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.dev/",
            "SCALEKIT_REDIRECT_URI": "http://localhost:8000/callback",
            "SCALEKIT_LEEWAY": " 30 ",
            "SCALEKIT_AUDIENCE": "api://acme",
        }
    )
    assert config.env_url == "https://acme.scalekit.dev"
    assert (config.redirect_uri, config.leeway, config.audience) == (
        "http://localhost:8000/callback",
        30.0,
        "api://acme",
    )


def test_the_constructor_reports_every_field_at_once() -> None:
    with pytest.raises(ConfigurationError) as info:
        ScalekitConfig("", "skc_1", SECRET, redirect_uri="/cb", leeway=float("nan"))
    assert str(info.value) == (
        "missing Scalekit configuration: env_url; "
        "redirect_uri must be an absolute http(s) URL; "
        "leeway must be a finite number of seconds"
    )
