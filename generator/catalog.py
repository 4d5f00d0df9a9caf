"""Synthetic RunComfy catalogs with realistic shapes, for benchmarks and scale tests.

Every model is drawn from a seeded ``random.Random``, so a size gives the same catalog on
every run. The shapes are those of real catalog schemas: ComfyUI node-prefixed keys
(``68_image``), combined size keys (``71_widthx71_height`` with ``"720x1280 (9:16)"``
values), plain keys (``image_urls``, ``num_images``), string, integer and numeric-string
enums, bounded integers and floats, media URLs and URL arrays, booleans, long
descriptions, and a few ``validations`` rules.
"""

from __future__ import annotations

import random
from typing import Any

_OWNERS = ("community", "wan-ai", "bytedance", "black-forest-labs", "kling", "minimax", "acme")
_FAMILIES = ("wan-2-2", "wan-2-1", "flux-1", "seedream-4", "kling-2-5", "hailuo-02", "sdxl")
_TASKS = (
    "text-to-image",
    "image-to-image",
    "image-to-video",
    "text-to-video",
    "first-last-frame",
    "upscale",
    "lipsync",
    "inpaint",
)
_SIZES = ("720x720 (1:1)", "1280x720 (16:9)", "720x1280 (9:16)", "960x720 (4:3)", "720x960 (3:4)")
_SENTENCE = (
    "Controls how strongly the output follows the prompt versus allowing creative variation; "
    "higher values stick closer to the text but may reduce diversity and natural motion."
)


def catalog(size: int, *, seed: int = 7) -> list[dict[str, Any]]:
    """``size`` canonical-shaped model documents with unique ids."""
    rng = random.Random(seed)
    return [_model(index, rng) for index in range(size)]


def _model(index: int, rng: random.Random) -> dict[str, Any]:
    owner = _OWNERS[index % len(_OWNERS)]
    family = _FAMILIES[(index // len(_OWNERS)) % len(_FAMILIES)]
    task = _TASKS[index % len(_TASKS)]
    model_id = f"{owner}/{family}/{task}-v{index}"
    properties: dict[str, Any] = {}
    required: list[str] = []
    node = rng.randint(3, 40)
    for maker in rng.sample(_FIELD_MAKERS, k=rng.randint(6, len(_FIELD_MAKERS))):
        node += rng.randint(1, 9)
        key, schema, is_required = maker(node, rng)
        if key not in properties:
            properties[key] = schema
            if is_required:
                required.append(key)
    video = task.endswith("video") or task in {"first-last-frame", "lipsync"}
    outputs = {"videos" if video else "images": {"type": "array", "items": {"type": "string"}}}
    return {
        "model_id": model_id,
        "input_schema": {
            "type": "object",
            "description": f"{family} {task}: " + _SENTENCE,
            "required": required,
            "properties": properties,
        },
        "output_schema": {"type": "object", "properties": outputs},
    }


Field = tuple[str, dict[str, Any], bool]


def _prompt(node: int, rng: random.Random) -> Field:
    return f"{node}_text", {"type": "string", "title": "Prompt", "description": _SENTENCE}, True


def _negative(node: int, rng: random.Random) -> Field:
    schema = {"type": "string", "title": "Negative Prompt", "default": "blurry, low quality"}
    return "negative_prompt", schema, False


def _image(node: int, rng: random.Random) -> Field:
    title = rng.choice(["Start Image", "Input Image", "Reference", "End Image"])
    return f"{node}_image", {"type": "string", "title": title, "format": "image_uri"}, True


def _image_urls(node: int, rng: random.Random) -> Field:
    schema = {
        "type": "array",
        "title": "Reference Images",
        "items": {"type": "string", "format": "image_uri"},
        "minItems": 1,
        "maxItems": rng.choice([3, 4, 9]),
        "validations": [
            {
                "validation_rule": "file_size_mb<",
                "validation_value": 10,
                "validation_error": "too big",
            }
        ],
    }
    return "image_urls", schema, True


def _size(node: int, rng: random.Random) -> Field:
    values = rng.sample(_SIZES, k=rng.randint(2, len(_SIZES)))
    schema = {"type": "string", "title": "Resolution (W:H)", "enum": values, "default": values[0]}
    return f"{node}_widthx{node}_height", schema, False


def _steps(node: int, rng: random.Random) -> Field:
    low = rng.randint(1, 8)
    schema: dict[str, Any] = {
        "type": "integer",
        "title": "Steps",
        "minimum": low,
        "maximum": low + 30,
    }
    schema["default"] = low + 10
    return f"{node}_steps", schema, False


def _cfg(node: int, rng: random.Random) -> Field:
    schema: dict[str, Any] = {"type": "float", "title": "Guidance Scale", "description": _SENTENCE}
    schema.update(minimum=0.5, maximum=rng.choice([4, 7.5, 10]), default=3.5)
    return f"{node}_cfg", schema, False


def _seed(node: int, rng: random.Random) -> Field:
    schema = {"type": "integer", "title": "Seed", "default": rng.randint(0, 2**31)}
    return f"{node}_noise_seed", schema, False


def _num_images(node: int, rng: random.Random) -> Field:
    schema = {"type": "integer", "title": "Number of Images", "enum": [1, 2, 4], "default": 1}
    return "num_images", schema, False


def _duration(node: int, rng: random.Random) -> Field:
    schema = {"type": "string", "title": "Duration (s)", "enum": ["5", "10"], "default": "5"}
    return "duration", schema, False


def _flag(node: int, rng: random.Random) -> Field:
    title = rng.choice(["Magic Prompt", "Enable Safety Checker", "Loop"])
    return f"{node}_enabled", {"type": "boolean", "title": title, "default": True}, False


def _videos(node: int, rng: random.Random) -> Field:
    schema = {"type": "array", "items": {"type": "string", "format": "video_uri"}, "maxItems": 3}
    return "video_urls", schema, False


def _frames(node: int, rng: random.Random) -> Field:
    schema = {"type": "integer", "title": "Number of Frames", "minimum": 17, "maximum": 161}
    return f"{node}_length", schema, False


_FIELD_MAKERS = (
    _prompt,
    _negative,
    _image,
    _image_urls,
    _size,
    _steps,
    _cfg,
    _seed,
    _num_images,
    _duration,
    _flag,
    _videos,
    _frames,
)
