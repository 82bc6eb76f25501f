import pytest

from common.settings import CommonSettings, Env, InvalidSetting, MissingSetting

FULL = {
    "CATALOG_DATABASE_URL": "sqlite://",
    "BUS_URL": "memory://",
    "INTERNAL_TOKEN_SECRET": "s3cret",
}


def test_settings_are_read_once_into_a_frozen_object():
    settings = CommonSettings.from_env("catalog", Env(FULL))
    assert settings.database_url == "sqlite://"
    with pytest.raises(AttributeError):
        settings.bus_url = "amqp://elsewhere"  # type: ignore[misc]


@pytest.mark.parametrize("missing", sorted(FULL))
def test_a_missing_required_value_stops_start_up_naming_the_variable(missing):
    environ = {key: value for key, value in FULL.items() if key != missing}
    with pytest.raises(MissingSetting, match=missing):
        CommonSettings.from_env("catalog", Env(environ))


def test_a_number_that_is_not_a_number_is_refused_naming_the_variable():
    with pytest.raises(InvalidSetting, match="BUS_PREFETCH"):
        CommonSettings.from_env("catalog", Env({**FULL, "BUS_PREFETCH": "many"}))


def test_retry_delays_are_read_as_a_list_of_milliseconds():
    settings = CommonSettings.from_env("catalog", Env({**FULL, "BUS_RETRY_DELAYS_MS": "10, 20"}))
    assert settings.retry_delays_ms == (10, 20)


def test_booleans_accept_the_usual_spellings_and_refuse_others():
    env = Env({"A": "yes", "B": "0", "C": "perhaps"})
    assert env.bool("A") is True
    assert env.bool("B") is False
    assert env.bool("MISSING", default=True) is True
    with pytest.raises(InvalidSetting, match="C"):
        env.bool("C")
