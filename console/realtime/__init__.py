"""The Realtime client library: a Python port of OpenAI's JavaScript reference client.

Usable on its own from scripts, without Textual::

    from console.realtime import RealtimeClient
    client = RealtimeClient(api_key=os.environ["OPENAI_API_KEY"])
    client.update_session(instructions="You are a great, upbeat friend.", voice="alloy")
    await client.connect()
    client.send_user_message_content([{"type": "input_text", "text": "How are you?"}])

GA protocol by default; ``dialect="beta"`` for beta-shaped servers.
"""

from .api import RealtimeAPI, RealtimeNotConnectedError
from .audio_buffer import InputAudioBuffer, Pcm16Buffer
from .audio_codec import FirResampler, Resampler
from .client import RealtimeClient
from .conversation import ConversationError, RealtimeConversation
from .dialects import SessionConfigError, text_message_item
from .event_handler import RealtimeEventHandler
from .images import ImageFacts, image_content
from .responses import DeferredResponsesFull
from .retention import DEFAULT_MAX_AUDIO_SECONDS
from .send_queue import SendQueueFull
from .tools import ToolHandler
from .tracking import ResponseState
from .utils import AudioFormatError, RealtimeUtils

__all__ = [
    "DEFAULT_MAX_AUDIO_SECONDS",
    "AudioFormatError",
    "ConversationError",
    "DeferredResponsesFull",
    "FirResampler",
    "ImageFacts",
    "InputAudioBuffer",
    "Pcm16Buffer",
    "RealtimeAPI",
    "RealtimeClient",
    "RealtimeConversation",
    "RealtimeEventHandler",
    "RealtimeNotConnectedError",
    "RealtimeUtils",
    "Resampler",
    "ResponseState",
    "SendQueueFull",
    "SessionConfigError",
    "ToolHandler",
    "image_content",
    "text_message_item",
]
