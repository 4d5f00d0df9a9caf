"""ComfyUI conventions: ``<node>_<input>`` wire keys, combined keys and size choices."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.comfy import Dimensions, NodeInput, is_combined, parse_dimensions, parse_wire_key

# Input names without "x" (which would start another combined target) and with a letter.
NO_X = "abcdefghijklmnopqrstuvwyz"
SAFE_INPUT = st.builds(
    "{}{}".format, st.sampled_from(NO_X), st.text(NO_X + "0123456789_", max_size=12)
)
NODE = st.integers(1, 9999).map(str)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("68_image", (NodeInput("68", "image"),)),
        ("6_text", (NodeInput("6", "text"),)),
        ("57_noise_seed", (NodeInput("57", "noise_seed"),)),
        ("608_image", (NodeInput("608", "image"),)),
        ("71_widthx71_height", (NodeInput("71", "width"), NodeInput("71", "height"))),
        ("71_widthx72_height", (NodeInput("71", "width"), NodeInput("72", "height"))),
        ("prompt", (NodeInput(None, "prompt"),)),
        ("image_url_1", (NodeInput(None, "image_url_1"),)),
        ("image_urls", (NodeInput(None, "image_urls"),)),
    ],
)
def test_parse_wire_key(key: str, expected: tuple[NodeInput, ...]) -> None:
    assert parse_wire_key(key) == expected


def test_only_the_first_underscore_separates_the_node() -> None:
    (target,) = parse_wire_key("57_noise_seed")
    assert target.node == "57"
    assert target.input == "noise_seed"


@pytest.mark.parametrize("key", ["画像", "プロンプト_1", "68_画像", "提示词"])
def test_keys_with_non_ascii_inputs_target_themselves(key: str) -> None:
    assert parse_wire_key(key) == (NodeInput(None, key),)


@pytest.mark.parametrize("key", ["68_", "68", "_image", "68_123", "abc_image"])
def test_keys_without_a_node_and_a_named_input_target_themselves(key: str) -> None:
    assert parse_wire_key(key) == (NodeInput(None, key),)


def test_an_input_that_merely_ends_in_x_is_not_combined() -> None:
    assert parse_wire_key("12_boxx") == (NodeInput("12", "boxx"),)
    assert not is_combined(parse_wire_key("12_boxx"))


def test_is_combined() -> None:
    assert is_combined(parse_wire_key("71_widthx71_height"))
    assert not is_combined(parse_wire_key("68_image"))
    assert not is_combined(parse_wire_key("prompt"))


@settings(max_examples=150, deadline=None)
@given(node=NODE, width=SAFE_INPUT, height=SAFE_INPUT)
def test_combined_keys_parse_to_two_targets(node: str, width: str, height: str) -> None:
    key = f"{node}_{width}x{node}_{height}"
    assert parse_wire_key(key) == (NodeInput(node, width), NodeInput(node, height))


@settings(max_examples=150, deadline=None)
@given(node=NODE, name=SAFE_INPUT)
def test_single_node_keys_parse_to_one_target(node: str, name: str) -> None:
    assert parse_wire_key(f"{node}_{name}") == (NodeInput(node, name),)


@settings(max_examples=150, deadline=None)
@given(key=st.text(max_size=30))
def test_every_key_targets_itself_or_named_node_inputs(key: str) -> None:
    targets = parse_wire_key(key)
    if targets[0].node is None:
        assert targets == (NodeInput(None, key),)
    else:
        assert all(target.node and target.node.isdigit() and target.input for target in targets)
        assert key.startswith(f"{targets[0].node}_")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("720x720 (1:1)", Dimensions(720, 720, "1:1")),
        ("1280x720 (16:9)", Dimensions(1280, 720, "16:9")),
        ("1024*1024 (1:1)", Dimensions(1024, 1024, "1:1")),
        ("1344*576 (21:9)", Dimensions(1344, 576, "21:9")),
        ("512x768", Dimensions(512, 768, None)),
        ("512X768", Dimensions(512, 768, None)),
        ("512\u00d7768", Dimensions(512, 768, None)),
        (" 720 x 480 ( 3:2 ) ", Dimensions(720, 480, "3:2")),
        ("720x720 ()", Dimensions(720, 720, None)),
    ],
)
def test_parse_dimensions(value: str, expected: Dimensions) -> None:
    assert parse_dimensions(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "auto", "720", "720x", "x720", "720x720 (1:1) extra", "-720x720", "7.5x7", "720p", "5"],
)
def test_values_that_are_no_size_parse_to_none(value: str) -> None:
    assert parse_dimensions(value) is None


@settings(max_examples=150, deadline=None)
@given(
    width=st.integers(min_value=0, max_value=999_999),
    height=st.integers(min_value=0, max_value=999_999),
    separator=st.sampled_from(["x", "X", "*", "\u00d7"]),
    label=st.one_of(st.none(), st.builds("{}:{}".format, st.integers(0, 99), st.integers(0, 99))),
)
def test_dimensions_round_trip(width: int, height: int, separator: str, label: str | None) -> None:
    text = f"{width}{separator}{height}" + (f" ({label})" if label else "")
    assert parse_dimensions(text) == Dimensions(width, height, label)
