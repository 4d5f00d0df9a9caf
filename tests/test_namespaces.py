"""The client's accessor tree: one attribute per model-id segment, collision-free."""

from __future__ import annotations

from pathlib import PurePosixPath

from generator.diagnostics import Diagnostics, SourceRef
from generator.ingest import Overrides, SchemaFile
from generator.ir import Namespace, Package
from generator.normalize import build_package
from generator.normalize.namespaces import CLIENT_MEMBERS


def package_of(*model_ids: str) -> tuple[Package, Diagnostics]:
    files = [
        SchemaFile(
            ref=SourceRef(f"schemas/{model_id}.json"),
            path=PurePosixPath(f"{model_id}.json"),
            document={
                "model_id": model_id,
                "input_schema": {"type": "object", "properties": {"prompt": {"type": "string"}}},
                "output_schema": {"type": "object", "properties": {}},
            },
            sha256="0",
        )
        for model_id in model_ids
    ]
    diags = Diagnostics()
    overrides = Overrides(names={}, ref=SourceRef("schemas/overrides.toml"))
    return build_package(files, overrides=overrides, package_name="sdk", diags=diags), diags


def attributes(package: Package, path: str) -> dict[str, str]:
    (namespace,) = [ns for ns in package.namespaces if ns.path == path]
    return {entry.attribute: entry.target_path for entry in namespace.entries}


def test_each_segment_becomes_an_attribute() -> None:
    package, diags = package_of(
        "community/wan-2-2/first-last-frame", "wan-ai/wan-2-6/image-to-image"
    )
    assert attributes(package, "") == {"community": "community", "wan_ai": "wan-ai"}
    assert attributes(package, "community/wan-2-2") == {
        "first_last_frame": "community/wan-2-2/first-last-frame"
    }
    assert len(diags) == 0
    root: Namespace = package.namespaces[0]
    assert (
        root.is_root and root.class_name == "RunComfy" and root.async_class_name == "AsyncRunComfy"
    )


def test_a_model_beside_a_namespace_of_the_same_name_is_renamed_and_reported() -> None:
    package, diags = package_of("acme/x", "acme/x/y")
    namespace = next(ns for ns in package.namespaces if ns.path == "acme")
    kinds = {entry.attribute: entry.model is not None for entry in namespace.entries}
    assert kinds == {"x": False, "x_model": True}
    (warning,) = diags.warnings()
    assert warning.code == "N008" and warning.source.file == "schemas/acme/x.json"


def test_top_level_names_the_client_uses_are_avoided() -> None:
    package, diags = package_of("models/list", "requests/a", "job/b")
    assert set(attributes(package, "")) == {"models_", "requests_", "job_"}
    assert list(diags) == []  # a fixed rule, like ``class_``: no collision to report


def test_segments_that_spell_the_same_attribute_are_told_apart_deterministically() -> None:
    first, _ = package_of("acme/X-Y", "acme/x_y")
    second, _ = package_of("acme/x_y", "acme/X-Y")
    assert attributes(first, "acme") == attributes(second, "acme")
    assert set(attributes(first, "acme")) == {"x_y", "x_y_2"}


def test_client_members_cover_every_public_attribute_of_the_client_bases() -> None:
    from runcomfy_sdk import AsyncRunComfyBase, RunComfyBase

    public = {
        name
        for base in (RunComfyBase, AsyncRunComfyBase)
        for name in dir(base)
        if not name.startswith("_")
    }
    instance = RunComfyBase(api_token="x")
    public |= {name for name in vars(instance) if not name.startswith("_")}
    instance.close()
    assert public <= CLIENT_MEMBERS, sorted(public - CLIENT_MEMBERS)
