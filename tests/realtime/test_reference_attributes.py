"""The reference client's informational attributes: kept for parity, read-only, one definition.

``defaultSessionConfig``, ``transcriptionModels`` and ``defaultServerVadConfig`` are read by no
method of the reference; here they are properties derived from ``dialects``, not copies kept
per client, and changing what they return changes nothing else.
"""

from __future__ import annotations

import importlib.util

import pytest

from console.realtime import RealtimeClient, dialects

ATTRIBUTES = ("default_session_config", "transcription_models", "default_server_vad_config")


def test_values_match_the_reference() -> None:
    client = RealtimeClient()
    assert client.default_session_config == dialects.DEFAULT_SESSION_CONFIG
    assert client.default_session_config["voice"] == "verse"
    assert client.transcription_models == [{"model": "whisper-1"}]
    assert client.default_server_vad_config == {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 200,
    }


@pytest.mark.parametrize("name", ATTRIBUTES)
def test_they_are_read_only_properties_not_per_client_state(name: str) -> None:
    client = RealtimeClient()
    assert name not in vars(client)
    with pytest.raises(AttributeError):
        setattr(client, name, {})


@pytest.mark.parametrize("name", ATTRIBUTES)
def test_changing_a_returned_value_changes_nothing(name: str) -> None:
    client = RealtimeClient()
    value = getattr(client, name)
    value.clear()
    assert getattr(client, name)
    assert getattr(RealtimeClient(), name)
    assert client.session_config["voice"] == "verse"


def test_the_g711_codec_has_one_home() -> None:
    """``console.realtime.g711`` is the codec; ``console.audio`` has no re-export of it."""
    assert importlib.util.find_spec("console.realtime.g711") is not None
    assert importlib.util.find_spec("console.audio.g711") is None
