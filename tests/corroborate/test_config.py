"""Corroboration options: validated on construction, loaded from JSON, recorded as plain values."""

from __future__ import annotations

import pytest

from pipeline.corroborate import CorroborationConfig
from pipeline.errors import NewsclaimsError


@pytest.mark.parametrize(
    "options",
    [
        {"threshold": -0.1},
        {"weight_place": -1},
        {"weight_place": 0, "weight_time": 0, "weight_items": 0, "weight_quantity": 0},
        {"max_quantity_ratio": 0.5},
        {"minhash_bins": 100},
        {"lsh_bands": 3},
        {"window": 0},
        {"type_groups": (("smuggling", "trade"), ("trade", "seizure"))},
        {"outlet_aliases": (("RFA",),)},
        {"undated_window_days": True},
    ],
)
def test_config_invalid_option_is_E401(options):
    with pytest.raises(NewsclaimsError) as err:
        CorroborationConfig(**options)
    assert err.value.code == "E401"


def test_config_round_trips_through_json_values():
    config = CorroborationConfig(type_groups=(("smuggling", "trade"),), outlets=("Border Monitor",))
    assert CorroborationConfig.from_dict(config.to_dict()) == config


def test_config_type_group_names_a_block():
    config = CorroborationConfig(type_groups=(("smuggling", "trade"),))
    assert (config.type_group("trade"), config.type_group("seizure")) == ("smuggling", "seizure")


def test_config_unknown_option_is_E403():
    with pytest.raises(NewsclaimsError) as err:
        CorroborationConfig.from_dict({"treshold": 0.5})
    assert err.value.code == "E403" and "threshold" in str(err.value)
