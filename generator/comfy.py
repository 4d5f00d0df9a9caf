"""ComfyUI conventions in RunComfy wire keys and enum values.

RunComfy exposes a ComfyUI workflow's inputs as ``<node>_<input>`` keys (``68_image`` is
node 68's ``image`` input). Input names contain underscores themselves, so only the first
``_`` separates the node. A combined key such as ``71_widthx71_height`` sets two inputs at
once from one value like ``"720x720 (1:1)"``. These are pure parsing rules, used by the
normalizer and the naming rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Every pattern here runs in linear time on any text: no two quantifiers compete for the
# same characters (an input name's letter is checked in code, not by the pattern).
_NODE_KEY = re.compile(r"(?P<node>[0-9]+)_(?P<input>[A-Za-z0-9_]+)")
_LETTER = re.compile(r"[A-Za-z]")
# Split a combined key before every "x<digits>_" that starts another node target.
_COMBINED_SPLIT = re.compile(r"x(?=[0-9]+_[A-Za-z])")
# ComfyUI's loader nodes take their file as an input named image/video/audio; RunComfy
# schemas also number them or add a URL suffix (image_url_1, video_urls).
_MEDIA_INPUT = re.compile(r"(?P<kind>image|video|audio)(?:_urls?)?(?:_[0-9]+)?")
_DIMENSIONS = re.compile(
    r"(?P<width>[0-9]{1,6})\s*[xX*\u00d7]\s*(?P<height>[0-9]{1,6})(?:\s*\((?P<label>[^()]*)\))?"
)


@dataclass(frozen=True, slots=True)
class NodeInput:
    """One ComfyUI node input that a wire key sets; ``node`` is None for plain keys."""

    node: str | None
    input: str


@dataclass(frozen=True, slots=True)
class Dimensions:
    """A parsed ``"720x1280 (9:16)"`` choice."""

    width: int
    height: int
    label: str | None


def parse_wire_key(key: str) -> tuple[NodeInput, ...]:
    """The node inputs a wire key targets: one for ``68_image``, two for ``71_widthx71_height``.

    A key that follows no ComfyUI convention (``prompt``, ``image_url_1``) targets itself.
    """
    whole = _node_key(key)
    parts = _COMBINED_SPLIT.split(key)
    if len(parts) > 1:
        matches = [_node_key(part) for part in parts]
        if all(matches):
            return tuple(NodeInput(m["node"], m["input"]) for m in matches if m)
    if whole:
        return (NodeInput(whole["node"], whole["input"]),)
    return (NodeInput(None, key),)


def _node_key(text: str) -> re.Match[str] | None:
    match = _NODE_KEY.fullmatch(text)
    return match if match and _LETTER.search(match["input"]) else None


def is_combined(targets: tuple[NodeInput, ...]) -> bool:
    return len(targets) > 1


def parse_dimensions(value: str) -> Dimensions | None:
    """``"720x720 (1:1)"`` → 720, 720, ``"1:1"``; None when the value is no size."""
    match = _DIMENSIONS.fullmatch(value.strip())
    if not match:
        return None
    label = match["label"].strip() if match["label"] is not None else None
    return Dimensions(int(match["width"]), int(match["height"]), label or None)


def media_kind_by_name(targets: tuple[NodeInput, ...]) -> str | None:
    """``image``/``video``/``audio`` when a single-target key names a media input by convention."""
    if len(targets) != 1:
        return None
    match = _MEDIA_INPUT.fullmatch(targets[0].input.lower())
    return match["kind"] if match else None
