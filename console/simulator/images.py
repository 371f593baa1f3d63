"""Images in user messages (GA only: beta had no image input): the ``input_image`` part's data
URL checked as OpenAI checks it, what the simulator says about an image, and the limits.

A part's ``image_url`` must be a base64 data URL of a PNG or JPEG; anything else is refused with
``invalid_value`` and OpenAI's wording ("Expected a base64-encoded data URL with an image MIME
type (e.g. …), but got …"). The format is read from the bytes, not the MIME type: a GIF labelled
``image/png`` is refused. The size is read from the header (:mod:`.image_header`), never by
decoding the image.

Limits. OpenAI documents no size limit for realtime images (openai-agents-js#501: "the document
does not yet have clear guidance on the upper limit"); its events are limited to about 15 MB,
so an image of :data:`MAX_IMAGE_BYTES` (10 MiB, 14 MB as base64) is the largest that fits one
with room to spare, and larger is refused before any decoding. A conversation keeps at most
:data:`MAX_CONVERSATION_IMAGE_BYTES` of image data URLs (50 MB, the vision guide's payload limit
per request: every response reads the whole conversation); past it, adding an image is refused
until image items are deleted.
"""

from __future__ import annotations

import binascii
from typing import TYPE_CHECKING

from . import errors
from .image_header import TIMES, HeaderError, ImageInfo, image_tokens, read_size

if TYPE_CHECKING:
    from .conversation import Conversation, Item

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_CONVERSATION_IMAGE_BYTES = 50 * 1000 * 1000
MIME_TYPES = ("image/png", "image/jpeg", "image/jpg")
_EXPECTED = (
    "Expected a base64-encoded data URL with an image MIME type "
    "(e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got "
)
_MB = 1000 * 1000


def _refuse(param: str, got: str) -> errors.RealtimeError:
    return errors.invalid_value(param, f"Invalid '{param}'. {_EXPECTED}{got}.")


def megabytes(count: int) -> str:
    """``12.3 MB``."""
    return f"{count / _MB:.1f} MB"


def parse_image_url(url: str, detail: str, param: str) -> ImageInfo:
    """The image a data URL carries, or the ``invalid_value`` error saying why not."""
    if not url.startswith("data:"):
        shown = "an empty string" if not url else "a value without the 'data:' prefix"
        raise _refuse(param, shown)
    head, comma, payload = url.partition(",")
    if not comma:
        raise _refuse(param, "a data URL without a ',' before its data")
    mime, *params = head[len("data:") :].split(";")
    if "base64" not in params:
        raise _refuse(param, "a data URL that is not base64-encoded")
    if mime.strip().lower() not in MIME_TYPES:
        raise _refuse(param, f"unsupported MIME type {errors.quote(mime)} (PNG and JPEG only)")
    estimate = len(payload) * 3 // 4
    if estimate > MAX_IMAGE_BYTES + 2:
        raise errors.invalid_value(
            param,
            f"Invalid '{param}': the image is {megabytes(estimate)}; "
            f"the limit is {megabytes(MAX_IMAGE_BYTES)}.",
        )
    try:
        data = binascii.a2b_base64(payload, strict_mode=True)
    except (binascii.Error, ValueError):
        raise _refuse(param, "invalid base64-encoded bytes") from None
    if not data:
        raise _refuse(param, "empty base64-encoded bytes")
    if len(data) > MAX_IMAGE_BYTES:
        raise errors.invalid_value(
            param,
            f"Invalid '{param}': the image is {megabytes(len(data))}; "
            f"the limit is {megabytes(MAX_IMAGE_BYTES)}.",
        )
    try:
        kind, width, height = read_size(data)
    except HeaderError as exc:
        raise errors.invalid_value(
            param, f"Invalid '{param}'. The image data is not a valid PNG or JPEG image: {exc}."
        ) from None
    return ImageInfo(kind, width, height, len(data), detail, image_tokens(width, height, detail))


def check_room(held: int, adding: int) -> None:
    """Refuse an item whose images would take the conversation past its limit."""
    if adding and held + adding > MAX_CONVERSATION_IMAGE_BYTES:
        raise errors.invalid_value(
            "item.content",
            f"The conversation already holds {megabytes(held)} of images; adding "
            f"{megabytes(adding)} would pass the limit of "
            f"{megabytes(MAX_CONVERSATION_IMAGE_BYTES)}. Delete image items first.",
        )


def billed(conversation: Conversation, context: list[Item], own_input: bool) -> tuple[int, int]:
    """(image tokens, of which cached) of a response starting now. One reading the conversation
    reads it (prefills) at once, so its images are cached for the responses after it; one with
    its own ``input`` pays for its images uncached and leaves the conversation as it was."""
    if own_input:
        return sum(item.image_tokens() for item in context), 0
    tokens = (conversation.image_tokens, conversation.cached_image_tokens)
    conversation.read_images()
    return tokens


def seen(item: Item | None) -> str:
    """What the simulator says it sees in a user message: "I see a 640 by 480 PNG image."
    with the multiplication sign ("" with no image)."""
    infos = [] if item is None else [p.image for p in item.content if p.image is not None]
    if not infos:
        return ""
    shown = [f"a {i.width}{TIMES}{i.height} {i.format} image" for i in infos]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"I see {listed}."
