"""Naming rules: friendly field names, identifiers, collisions, class and module names."""

from __future__ import annotations

import keyword
import random
from pathlib import PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import naming
from generator.comfy import parse_wire_key
from generator.diagnostics import Diagnostics, SourceRef
from generator.ingest import Overrides, SchemaFile
from generator.lock import NameLock
from generator.normalize.names import assign_field_names, model_names

REF = SourceRef("schemas/acme/model.json", "/input_schema")
MODEL = "acme/model"
LOWER = "abcdefghijklmnopqrstuvwxyz"
WORD = st.text(LOWER + "0123456789", min_size=1, max_size=5)
# ComfyUI keys (``68_image``, ``57_noise_seed``) and plain ones (``prompt``, ``image_url_1``).
COMFY_KEY = st.builds(
    "{}_{}{}".format, st.integers(1, 999), st.sampled_from(LOWER), st.text(LOWER + "_", max_size=8)
)
PLAIN_KEY = st.builds(
    lambda first, words: "_".join([first, *words]),
    st.text(LOWER, min_size=1, max_size=5),
    st.lists(WORD, max_size=2),
)


def chosen_name(key: str, title: str | None = None, override: str | None = None) -> str:
    """The friendly name the naming pass gives one property in a model of its own."""
    schema = {"type": "string"} if title is None else {"type": "string", "title": title}
    explicit = {MODEL: {key: override}} if override is not None else {}
    names = assign_field_names(
        {key: schema},
        {key: parse_wire_key(key)},
        model_id=MODEL,
        overrides=Overrides(names=explicit, ref=SourceRef("schemas/overrides.toml")),
        lock=NameLock(),
        ref=REF,
        diags=Diagnostics(),
    )
    return names[key]


def claim(
    key: str,
    wanted: str | None = None,
    *,
    explicit: str | None = None,
    locked: str | None = None,
) -> naming.Claim:
    """A field's claim as the naming pass builds it (wanted from the wire key by default)."""
    targets = parse_wire_key(key)
    return naming.Claim(
        key=key,
        wanted=wanted if wanted is not None else naming.name_from_wire_key(key, targets),
        explicit=explicit,
        locked=locked,
        natural=naming.is_plain_identifier(key, targets),
        suffixes=naming.field_suffixes(key, targets),
    )


def resolved(claims: list[naming.Claim]) -> dict[str, str]:
    return naming.allocate(claims).names


# --- rule order ---------------------------------------------------------------------------


def test_override_beats_title_and_wire_key() -> None:
    assert chosen_name("68_image", title="Start Image", override="first_frame") == "first_frame"


def test_ascii_title_beats_wire_key() -> None:
    assert chosen_name("68_image", title="Start Image") == "start_image"


def test_wire_key_without_node_prefix_is_the_fallback() -> None:
    assert chosen_name("68_image") == "image"
    assert chosen_name("57_noise_seed") == "noise_seed"


@pytest.mark.parametrize(
    ("key", "title"),
    [
        ("image_urls", "Reference Images"),
        ("num_images", "Number of Images"),
        ("aspect_ratio", "Image Size"),
        ("seed", "Random Seed"),
        ("prompt_extend", "Magic Prompt"),
        ("format", "Output Format"),
        ("type", "Kind"),
        ("id", "Identifier"),
        ("input", "Input"),
    ],
)
def test_plain_snake_case_keys_keep_their_own_name_whatever_the_title(key: str, title: str) -> None:
    assert chosen_name(key, title=title) == key


@pytest.mark.parametrize(
    ("key", "title", "expected"),
    [
        ("imageURL", "Reference Image", "reference_image"),
        ("Image Size", None, "image_size"),
        ("_hidden", "Hidden Flag", "hidden_flag"),
        ("x-custom", None, "x_custom"),
    ],
)
def test_keys_that_are_no_snake_case_identifier_are_named_from_their_title(
    key: str, title: str | None, expected: str
) -> None:
    assert chosen_name(key, title=title) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [("class", "class_"), ("timeout", "timeout_"), ("json", "json_"), ("model_name", "model_name_"),
     ("str", "str_"), ("max_retries", "max_retries_"), ("extra_body", "extra_body_")],
)  # fmt: skip
def test_plain_keys_that_are_reserved_get_a_deterministic_rename(key: str, expected: str) -> None:
    assert chosen_name(key) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Start Image", "start_image"),
        ("End Image", "end_image"),
        ("Resolution (W:H)", "resolution"),
        ("Number of Frames", "number_of_frames"),
        ("Frames Per Second", "frames_per_second"),
        ("Guidance Scale", "guidance_scale"),
        ("Artist's Style", "artists_style"),
        ("Size [px]", "size"),
        ("4K Upscale", "upscale_4k"),
        ("camelCase Title", "camelcase_title"),
    ],
)
def test_name_from_title(title: str, expected: str) -> None:
    assert naming.name_from_title(title) == expected


@pytest.mark.parametrize(
    "title", [None, "", "プロンプト", "参照画像", "Résolution", "(W:H)", "???", "提示词 Prompt"]
)
def test_titles_that_cannot_name_a_field(title: str | None) -> None:
    assert naming.name_from_title(title) is None


def test_non_ascii_titles_fall_through_to_the_wire_key() -> None:
    assert chosen_name("68_image", title="開始画像") == "image"
    assert chosen_name("prompt", title="プロンプト") == "prompt"


def test_names_of_plain_keys_do_not_depend_on_the_page_language() -> None:
    for key, english, japanese in [
        ("image_urls", "Reference Images", "参照画像"),
        ("image_size", "Aspect Ratio", "アスペクト比"),
        ("prompt_extend", "Magic Prompt", "マジックプロンプト"),
    ]:
        assert chosen_name(key, title=english) == chosen_name(key, title=japanese) == key


def test_sentence_titles_fall_through_to_the_wire_key() -> None:
    sentence = "The image the video starts from, as a URL"
    assert len(sentence.split()) > naming.MAX_TITLE_WORDS
    assert naming.name_from_title(sentence) is None
    assert chosen_name("68_image", title=sentence) == "image"


def test_title_of_exactly_max_words_is_used() -> None:
    title = " ".join(["word"] * naming.MAX_TITLE_WORDS)
    assert naming.name_from_title(title) == "_".join(["word"] * naming.MAX_TITLE_WORDS)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("68_image", "image"),
        ("6_text", "text"),
        ("57_noise_seed", "noise_seed"),
        ("71_widthx71_height", "width_x_height"),
        ("prompt", "prompt"),
        ("image_url_1", "image_url_1"),
        ("imageURL", "image_url"),
    ],
)
def test_name_from_wire_key(key: str, expected: str) -> None:
    assert naming.name_from_wire_key(key, parse_wire_key(key)) == expected


def test_all_non_ascii_wire_keys_get_a_stable_ascii_name() -> None:
    first = naming.name_from_wire_key("画像", parse_wire_key("画像"))
    assert first == naming.name_from_wire_key("画像", parse_wire_key("画像"))
    assert first.isascii()
    assert first.isidentifier()
    assert first != naming.name_from_wire_key("動画", parse_wire_key("動画"))


# --- identifiers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("class", "class_"),
        ("def", "def_"),
        ("None", "none"),
        ("list", "list_"),
        ("str", "str_"),
        ("float", "float_"),
        ("json", "json_"),
        ("dict", "dict_"),
        ("copy", "copy_"),
        ("schema", "schema_"),
        ("validate", "validate_"),
        ("model_config", "model_config_"),
        ("model_dump", "model_dump_"),
        ("self", "self_"),
        ("timeout", "timeout_"),
        ("request_id", "request_id_"),
        ("on_update", "on_update_"),
        ("on_submitted", "on_submitted_"),
        ("extra_headers", "extra_headers_"),
    ],
)
def test_reserved_names_get_a_trailing_underscore(name: str, expected: str) -> None:
    assert naming.make_identifier(name) == expected


def test_reserved_titles_get_a_trailing_underscore() -> None:
    assert chosen_name("5_x", title="Timeout") == "timeout_"
    assert chosen_name("5_x", title="Class") == "class_"


@pytest.mark.parametrize("name", ["format", "type", "input", "id", "filter", "max", "hash"])
def test_builtins_are_usable_field_names(name: str) -> None:
    assert naming.make_identifier(name) == name
    assert chosen_name("5_x", title=name.title()) == name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("3d_mode", "mode_3d"),
        ("2 Pass", "pass_2"),
        ("1", "value_1"),
        ("1 2", "value_1_2"),
        ("4k", "value_4k"),
    ],
)
def test_leading_numbers_move_to_the_end(name: str, expected: str) -> None:
    assert naming.make_identifier(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Start Image", "start_image"),
        ("imageURL", "image_url"),
        ("\uff21\uff22\uff23", "abc"),
        ("\uff23\uff4c\uff41\uff53\uff53", "class_"),
        ("café", "cafe"),
    ],
)
def test_make_identifier_examples(name: str, expected: str) -> None:
    assert naming.make_identifier(name) == expected


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40))
def test_every_name_the_rules_make_is_accepted_back_from_a_lock_or_override(text: str) -> None:
    assert naming.is_usable_field_name(naming.make_identifier(text))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=40))
def test_make_identifier_always_gives_a_usable_identifier(text: str) -> None:
    name = naming.make_identifier(text)
    assert name.isidentifier()
    assert name.isascii()
    assert not keyword.iskeyword(name)
    assert not name.startswith("_")
    assert not name[0].isdigit()
    assert name == name.lower()
    assert naming.make_identifier(name) == name


@settings(max_examples=200, deadline=None)
@given(key=st.one_of(COMFY_KEY, PLAIN_KEY, st.text(max_size=20)))
def test_wire_key_names_never_start_with_field_or_a_node_prefix(key: str) -> None:
    name = naming.make_identifier(naming.name_from_wire_key(key, parse_wire_key(key)))
    node = parse_wire_key(key)[0].node
    if not key.lower().lstrip("0123456789_").startswith("field"):
        assert not name.startswith("field_")
    if node is not None:
        assert not name.startswith(f"{node}_")
    assert not name[0].isdigit()


# --- collisions ---------------------------------------------------------------------------


def test_the_first_newcomer_in_natural_key_order_keeps_a_shared_name() -> None:
    names = resolved([claim("68_image"), claim("62_image")])
    assert names == {"62_image": "image", "68_image": "image_68"}


def test_a_plain_key_keeps_its_own_name_against_node_prefixed_rivals() -> None:
    names = resolved([claim("68_image"), claim("image"), claim("62_image")])
    assert names == {"image": "image", "68_image": "image_68", "62_image": "image_62"}


def test_explicit_names_win_collisions() -> None:
    names = resolved([claim("image"), claim("68_image", explicit="image")])
    assert names == {"68_image": "image", "image": "image_image"}


def test_two_explicit_claims_on_one_name_are_an_error_for_the_second() -> None:
    allocation = naming.allocate(
        [claim("68_image", explicit="image"), claim("62_image", explicit="image")]
    )
    assert allocation.names == {"62_image": "image", "68_image": "image_68"}
    (conflict,) = allocation.conflicts
    assert (conflict.key, conflict.holder, conflict.cause) == (
        "68_image",
        "62_image",
        "explicit-clash",
    )


def test_a_locked_name_is_never_taken_away_by_a_newcomer() -> None:
    allocation = naming.allocate(
        [claim("6_text", "prompt", locked="prompt"), claim("90_text", "prompt")]
    )
    assert allocation.names == {"6_text": "prompt", "90_text": "prompt_90"}
    (conflict,) = allocation.conflicts
    assert (conflict.key, conflict.wanted, conflict.given, conflict.holder, conflict.cause) == (
        "90_text",
        "prompt",
        "prompt_90",
        "6_text",
        "locked",
    )


def test_a_locked_name_wins_even_over_a_natural_claim() -> None:
    names = resolved([claim("68_image", locked="image"), claim("image")])
    assert names == {"68_image": "image", "image": "image_image"}


def test_a_locked_name_is_kept_when_the_rules_would_now_give_another() -> None:
    names = resolved([claim("image_urls", "image_urls", locked="reference_images")])
    assert names == {"image_urls": "reference_images"}


def test_an_override_that_contradicts_the_lock_wins_and_is_reported() -> None:
    allocation = naming.allocate([claim("6_text", "prompt", explicit="text", locked="prompt")])
    assert allocation.names == {"6_text": "text"}
    assert allocation.overridden == (naming.LockOverride("6_text", "prompt", "text"),)


def test_an_override_that_takes_a_locked_name_from_another_claim_is_an_error() -> None:
    allocation = naming.allocate(
        [claim("6_text", locked="prompt"), claim("90_text", explicit="prompt")]
    )
    assert allocation.names["90_text"] == "prompt"
    (conflict,) = allocation.conflicts
    assert (conflict.key, conflict.holder, conflict.cause) == ("6_text", "90_text", "locked-taken")


def test_suffix_is_the_wire_key_when_there_is_no_node() -> None:
    names = resolved([claim("a", "x"), claim("b", "x"), claim("c", "x")])
    assert names == {"a": "x", "b": "x_b", "c": "x_c"}


def test_suffix_falls_back_from_node_to_wire_key_to_counter() -> None:
    node_taken = resolved([claim("68_a", "x"), claim("69_a", "x"), claim("k", "x_69")])
    assert node_taken == {"68_a": "x", "69_a": "x_a_69", "k": "x_69"}
    key_taken = resolved([claim("a", "x"), claim("b", "x"), claim("c", "x"), claim("k", "x_b")])
    assert key_taken == {"a": "x", "b": "x_2", "c": "x_c", "k": "x_b"}


def test_names_that_differ_only_in_case_collide_when_folded() -> None:
    allocation = naming.allocate(
        [naming.Claim(key="a/b", wanted="AB"), naming.Claim(key="A/B", wanted="Ab")],
        fold=str.lower,
        join="",
    )
    assert sorted(allocation.names.values(), key=str.lower) == ["AB", "Ab2"] or sorted(
        allocation.names.values()
    ) == ["AB2", "Ab"]
    assert len(allocation.conflicts) == 1


def test_reserved_names_of_a_scope_are_never_handed_out() -> None:
    allocation = naming.allocate([naming.Claim(key="x", wanted="RunComfy")], taken=["RunComfy"])
    assert allocation.names == {"x": "RunComfy_2"}
    assert allocation.conflicts[0].cause == "reserved"


def test_collisions_are_deterministic() -> None:
    keys = ["68_image", "62_image", "image", "6_text", "7_text", "71_widthx71_height"]
    first = resolved([claim(key) for key in keys])
    assert all(resolved([claim(key) for key in keys]) == first for _ in range(3))


@settings(max_examples=100, deadline=None)
@given(
    keys=st.lists(st.one_of(COMFY_KEY, PLAIN_KEY), unique=True, max_size=10),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_collision_resolution_is_order_independent(keys: list[str], seed: int) -> None:
    shuffled = list(keys)
    random.Random(seed).shuffle(shuffled)
    assert resolved([claim(k) for k in keys]) == resolved([claim(k) for k in shuffled])


@pytest.mark.parametrize("keys", [["Q", "q"], ["68_image", "68_IMAGE"]])
def test_keys_that_differ_only_in_case_resolve_independently_of_order(keys: list[str]) -> None:
    forward = resolved([claim(key) for key in keys])
    backward = resolved([claim(key) for key in reversed(keys)])
    assert forward == backward


@settings(max_examples=100, deadline=None)
@given(
    entries=st.dictionaries(
        st.one_of(COMFY_KEY, PLAIN_KEY, st.text(max_size=8)),
        st.tuples(
            st.one_of(st.text(max_size=8), st.sampled_from(["image", "x", "class"])),
            st.sampled_from(["rule", "explicit", "locked"]),
        ),
        max_size=10,
    )
)
def test_resolved_names_are_unique_identifiers(entries: dict[str, tuple[str, str]]) -> None:
    claims = []
    for key, (candidate, source) in entries.items():
        name = naming.make_identifier(candidate)
        claims.append(
            claim(
                key,
                name,
                explicit=name if source == "explicit" else None,
                locked=name if source == "locked" else None,
            )
        )
    names = resolved(claims)
    assert set(names) == set(entries)
    assert len(set(names.values())) == len(names)
    assert all(name.isidentifier() and not keyword.iskeyword(name) for name in names.values())


# --- class and module names ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "class_base", "module"),
    [
        (
            "community/wan-2-2/first-last-frame",
            "CommunityWan22FirstLastFrame",
            "community_wan_2_2_first_last_frame",
        ),
        (
            "community/wan-2-1/fusionx/image-to-video",
            "CommunityWan21FusionxImageToVideo",
            "community_wan_2_1_fusionx_image_to_video",
        ),
        (
            "wan-ai/wan-2-6/image-to-image",
            "WanAiWan26ImageToImage",
            "wan_ai_wan_2_6_image_to_image",
        ),
    ],
)
def test_class_and_module_names_from_model_ids(model_id: str, class_base: str, module: str) -> None:
    assert naming.class_base_name(model_id) == class_base
    assert naming.module_name(model_id) == module


def test_model_names_are_unique_even_ignoring_case() -> None:
    files = [schema_file(model_id) for model_id in ["a/b", "A/B", "a_b"]]
    diags = Diagnostics()
    overrides = Overrides(names={}, ref=SourceRef("schemas/overrides.toml"))
    names = model_names(files, overrides=overrides, lock=NameLock(), diags=diags)
    modules = [entry.module for entry in names.values()]
    classes = [entry.request_class for entry in names.values()]
    assert len({module.lower() for module in modules}) == 3
    assert len({cls.lower() for cls in classes}) == 3
    assert names["A/B"].module == "a_b"
    assert names["A/B"].request_class == "ABRequest"
    assert names["a/b"].request_class == "AB2Request"
    assert names["a/b"].output_class == "AB2Output"
    assert names["a/b"].resource_class == "AB2Resource"
    assert {d.code for d in diags} == {"N009", "N010"}


def schema_file(model_id: str) -> SchemaFile:
    return SchemaFile(
        ref=SourceRef(f"schemas/{model_id}.json"),
        path=PurePosixPath(f"{model_id}.json"),
        document={"model_id": model_id, "input_schema": {}, "output_schema": {}},
        sha256="0",
    )


@settings(max_examples=200, deadline=None)
@given(model_id=st.text(max_size=40))
def test_class_and_module_names_are_identifiers(model_id: str) -> None:
    module = naming.module_name(model_id)
    base = naming.class_base_name(model_id)
    assert module.isidentifier() and module.isascii() and not keyword.iskeyword(module)
    assert base.isidentifier() and base.isascii() and base[0].isupper()


@given(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True), unique=True, max_size=8))
def test_choice_aliases_are_one_to_one_identifiers(names: list[str]) -> None:
    aliases = [naming.choice_alias(name) for name in names]
    assert len(set(aliases)) == len(aliases)
    assert all(alias.isidentifier() and alias.endswith(naming.CHOICE_SUFFIX) for alias in aliases)
    assert all(alias[0].isupper() for alias in aliases)
