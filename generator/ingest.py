"""Stage 1, ingest: sources → canonical documents, and canonical files → checked documents.

``ingest_sources`` turns pages and JSON files into canonical texts keyed by their path
under ``schemas/`` (merging sources of the same model and failing on disagreement).
``load_schemas`` discovers the canonical files of a schemas directory in sorted order,
parses them and checks their shape; ``load_overrides`` reads the naming overrides.
Nothing here writes files.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import canonical, jsontext
from .cache import Cache, key_of
from .diagnostics import Diagnostic, Diagnostics, SourceRef
from .manifest import generator_hash, package_version
from .metaschema import check_document
from .parallel import process_map
from .sources import Extracted, read_models

STANDARD_OUTPUT_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {
        "image": {"type": "string", "format": "uri"},
        "video": {"type": "string", "format": "uri"},
        "images": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "videos": {"type": "array", "items": {"type": "string", "format": "uri"}},
    },
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SchemaFile:
    """A parsed canonical file; ``document`` passed the structural check."""

    ref: SourceRef
    path: PurePosixPath
    document: Mapping[str, Any]
    sha256: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelOverride:
    """A person's choice of a model's class stem, module or leaf accessor (None: the rules')."""

    class_base: str | None = None
    module: str | None = None
    accessor: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Overrides:
    """Names chosen by a person: model id → wire key → field name, and model-level names."""

    names: Mapping[str, Mapping[str, str]]
    ref: SourceRef
    models: Mapping[str, ModelOverride] = field(default_factory=dict)


def ingest_sources(
    files: Sequence[tuple[str, bytes]], *, model_id: str | None, diags: Diagnostics
) -> list[SchemaFile]:
    """The canonical document of every model the sources describe, sorted by model id.

    Each result's ``ref`` names the (first) source it came from, so later diagnostics
    point at the file the user passed; its text is ``canonical.dumps(document)``.
    """
    by_model: dict[str, list[Extracted]] = {}
    for name, data in files:
        for found in read_models(SourceRef(name), data, model_id=model_id, diags=diags):
            by_model.setdefault(found.model_id, []).append(found)
    found_files: list[SchemaFile] = []
    for found_id, extracted in sorted(by_model.items()):
        document = _merge(found_id, extracted, diags)
        if document is None:
            continue
        problem = canonical.model_id_problem(found_id)
        if problem:
            diags.error("I010", problem, extracted[0].source)
            continue
        if check_document(document, extracted[0].source, diags):
            text = canonical.dumps(document).encode()
            found_files.append(
                SchemaFile(
                    ref=extracted[0].source,
                    path=canonical.canonical_path(found_id),
                    document=document,
                    sha256=hashlib.sha256(text).hexdigest(),
                )
            )
    return found_files


def _merge(model_id: str, extracted: list[Extracted], diags: Diagnostics) -> dict[str, Any] | None:
    """One canonical document from several sources of one model, or None on disagreement."""
    chosen: dict[str, tuple[Extracted, Any]] = {}
    for part in ("input_schema", "output_schema", "example_request"):
        for item in extracted:
            value = _canonical_part(model_id, item, part)
            if value is None:
                continue
            if part not in chosen:
                chosen[part] = (item, value)
                continue
            first, first_value = chosen[part]
            where = canonical.first_difference(first_value, value)
            if where is not None:
                _report_conflict(part, where, (first, first_value), (item, value), diags)
                return None
    output = chosen["output_schema"][1] if "output_schema" in chosen else None
    example = chosen["example_request"][1] if "example_request" in chosen else None
    return canonical.canonical_document(
        model_id=model_id,
        input_schema=chosen["input_schema"][1],
        output_schema=output if output is not None else STANDARD_OUTPUT_SCHEMA,
        example_request=example,
    )


def _canonical_part(model_id: str, item: Extracted, part: str) -> Any:
    """One part of ``item`` in canonical form (so that only real differences conflict)."""
    raw = getattr(item, part)
    if raw is None:
        return None
    document = canonical.canonical_document(
        model_id=model_id,
        input_schema=item.input_schema if part == "input_schema" else {},
        output_schema=raw if part == "output_schema" else {},
        example_request=raw if part == "example_request" else None,
    )
    return document[part]


def _report_conflict(
    part: str,
    pointer: str,
    first: tuple[Extracted, Any],
    second: tuple[Extracted, Any],
    diags: Diagnostics,
) -> None:
    (one, one_value), (two, two_value) = first, second
    shown = [
        json.dumps(canonical.resolve_pointer(v, pointer), ensure_ascii=False)
        for v in (one_value, two_value)
    ]
    diags.error(
        "I011",
        f"sources disagree on model {one.model_id!r} at /{part}{pointer}: "
        f"{one.source.file} has {shown[0]}, {two.source.file} has {shown[1]}",
        two.source.child(part).child(*_pointer_parts(pointer)),
    )


def _pointer_parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def load_schemas(
    schemas_dir: Path, diags: Diagnostics, *, shown_as: str, cache: Cache | None = None
) -> list[SchemaFile]:
    """Every canonical file below ``schemas_dir``, sorted by path, structurally checked.

    ``shown_as`` is how diagnostics name the directory (e.g. ``schemas``), so that messages
    carry no absolute paths.
    """
    texts = {
        PurePosixPath(path.relative_to(schemas_dir).as_posix()): path.read_bytes()
        for path in schemas_dir.rglob("*.json")
    }
    return parse_schemas(texts, diags, shown_as=shown_as, cache=cache)


# Checking a file takes about two milliseconds; a process pays for itself beyond this many.
_FILES_PER_WORKER = 100


def parse_schemas(
    texts: Mapping[PurePosixPath, bytes],
    diags: Diagnostics,
    *,
    shown_as: str,
    cache: Cache | None = None,
) -> list[SchemaFile]:
    """The schema files among ``texts`` (relative path → bytes), sorted by path, checked.

    A file whose bytes passed every check of this generator before (``cache`` remembers
    them by their hash) is only decoded; the others are checked, on one process per core
    when there are many. Either way the files and diagnostics are the same.
    """
    verdicts = _Verdicts.of(cache)
    known = verdicts.load()
    entries = [
        (relative, texts[relative])
        for relative in sorted(texts, key=lambda path: path.as_posix())
        if relative.suffix == ".json"
    ]
    outcomes = process_map(_parse_entries, entries, (shown_as, known), per_worker=_FILES_PER_WORKER)
    found: list[SchemaFile] = []
    fresh: dict[str, bool] = {}
    for outcome in outcomes:
        diags.extend(outcome.diagnostics)
        if outcome.file is not None:
            found.append(outcome.file)
            if outcome.canonical_form is not None:
                fresh[outcome.file.sha256] = outcome.canonical_form
    verdicts.save(known, fresh)
    return found


@dataclass(frozen=True, slots=True)
class _Outcome:
    """One file's checks: the file (None on errors), its diagnostics, and whether it was in
    canonical form when it was checked now (None: the verdict was known already)."""

    file: SchemaFile | None
    diagnostics: tuple[Diagnostic, ...]
    canonical_form: bool | None


@dataclass(frozen=True, slots=True)
class _Verdicts:
    """The cache's memory of schema files that passed every check: for each (by the hash of
    its bytes), whether it was in canonical form. One entry for all of them, keyed by the
    generator's own code and the validator's version, since they decide what passes."""

    cache: Cache
    key: str

    @classmethod
    def of(cls, cache: Cache | None) -> _Verdicts:
        if cache is None or cache.directory is None:
            return cls(Cache(None), "")
        return cls(cache, key_of(generator_hash(), package_version("jsonschema")))

    def load(self) -> dict[str, bool]:
        text = self.cache.get(_VERDICTS, self.key)
        try:
            table = json.loads(text) if text is not None else {}
        except json.JSONDecodeError:
            return {}
        if not isinstance(table, dict):
            return {}
        return {digest: value for digest, value in table.items() if isinstance(value, bool)}

    def save(self, known: Mapping[str, bool], fresh: Mapping[str, bool]) -> None:
        if not fresh:
            return
        # Bounded: once it outgrows this, the entry starts again from this run's files.
        table = {**known, **fresh} if len(known) + len(fresh) <= _MAX_VERDICTS else dict(fresh)
        self.cache.put(_VERDICTS, self.key, json.dumps(table, sort_keys=True))


_VERDICTS = "schema-checks"
_MAX_VERDICTS = 50_000


def _parse_entries(
    entries: list[tuple[PurePosixPath, bytes]], arguments: tuple[str, Mapping[str, bool]]
) -> list[_Outcome]:
    shown_as, known = arguments
    outcomes: list[_Outcome] = []
    for relative, data in entries:
        diags = Diagnostics()
        ref = SourceRef(f"{shown_as}/{relative}")
        outcomes.append(_parse_one(data, relative, ref, diags, known))
    return outcomes


def _parse_one(
    data: bytes,
    relative: PurePosixPath,
    ref: SourceRef,
    diags: Diagnostics,
    known: Mapping[str, bool],
) -> _Outcome:
    digest = hashlib.sha256(data).hexdigest()
    was_canonical = known.get(digest)
    # Bytes that passed the checks before are strict JSON of the canonical shape: the
    # plain decoder reads them to the same document.
    document = (
        json.loads(data.decode("utf-8"))
        if was_canonical is not None
        else _checked(data, ref, diags)
    )
    if document is None:
        return _Outcome(None, tuple(diags), None)
    model_id = document["model_id"]
    problem = canonical.model_id_problem(model_id)
    if problem:
        diags.error("S003", problem, ref.child("model_id"))
        return _Outcome(None, tuple(diags), None)
    expected = canonical.canonical_path(model_id)
    if expected != relative:
        diags.error(
            "S004",
            f"model {model_id!r} belongs in {expected}, not {relative}",
            ref.child("model_id"),
        )
        return _Outcome(None, tuple(diags), None)
    canonical_form = was_canonical if was_canonical is not None else _is_canonical(document, data)
    if not canonical_form:
        diags.warning(
            "S005",
            "file is not in canonical form (key order, annotations or layout); "
            "`runcomfy-codegen ingest` on it rewrites it canonically",
            ref,
        )
    file = SchemaFile(ref=ref, path=relative, document=document, sha256=digest)
    return _Outcome(file, tuple(diags), canonical_form if was_canonical is None else None)


def _checked(data: bytes, ref: SourceRef, diags: Diagnostics) -> dict[str, Any] | None:
    """The document of a file that is UTF-8, strict JSON and of the canonical shape."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        diags.error("S002", f"not UTF-8 ({error.reason} at byte {error.start})", ref)
        return None
    document = jsontext.parse(text, ref, diags, code="S002")
    if document is None:
        return None
    if not isinstance(document, dict):
        diags.error("S001", "a schema file must hold a JSON object", ref)
        return None
    return document if check_document(document, ref, diags) else None


def _is_canonical(document: dict[str, Any], data: bytes) -> bool:
    return canonical.canonical_text(document).encode() == data


def load_overrides(path: Path, diags: Diagnostics, *, shown_as: str) -> Overrides:
    """The naming overrides file; a missing file means no overrides."""
    data = path.read_bytes() if path.is_file() else None
    return parse_overrides(data, diags, shown_as=shown_as)


def parse_overrides(data: bytes | None, diags: Diagnostics, *, shown_as: str) -> Overrides:
    """Overrides from the file's bytes (None: no file)."""
    ref = SourceRef(shown_as)
    if data is None:
        return Overrides(names={}, ref=ref)
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        diags.error("N001", f"not valid TOML: {error}", ref)
        return Overrides(names={}, ref=ref)
    names: dict[str, dict[str, str]] = {}
    models: dict[str, ModelOverride] = {}
    for model_id, entries in sorted(table.items()):
        where = ref.child(model_id)
        if not isinstance(entries, dict):
            diags.error("N002", "each model's entry must be a table", where)
            continue
        fields = {key: value for key, value in entries.items() if isinstance(value, str)}
        extra = entries.get("fields", {})
        if isinstance(extra, dict) and all(isinstance(v, str) for v in extra.values()):
            fields.update(extra)
        elif "fields" in entries and not isinstance(entries["fields"], str):
            diags.error(
                "N002", "'fields' must map wire keys to name strings", where.child("fields")
            )
        model_table = entries.get("model")
        if isinstance(model_table, dict):
            override = _model_override(model_table, where.child("model"), diags)
            if override is not None:
                models[model_id] = override
        odd = sorted(
            key
            for key, value in entries.items()
            if not isinstance(value, str) and key not in _OVERRIDE_TABLES
        )
        for key in odd:
            diags.error(
                "N002",
                "a model's table maps wire keys to name strings "
                "(and may hold a 'model' table with class, module, accessor)",
                where.child(key),
            )
        names[model_id] = fields
    return Overrides(names=names, ref=ref, models=models)


_OVERRIDE_TABLES = frozenset({"fields", "model"})
_MODEL_OVERRIDE_KEYS = {"class": "class_base", "module": "module", "accessor": "accessor"}


def _model_override(
    table: Mapping[str, Any], ref: SourceRef, diags: Diagnostics
) -> ModelOverride | None:
    chosen: dict[str, str] = {}
    for key, value in sorted(table.items()):
        if key not in _MODEL_OVERRIDE_KEYS or not isinstance(value, str):
            diags.error(
                "N002",
                f"unknown model override {key!r}: use class, module or accessor (strings)",
                ref.child(key),
            )
            return None
        chosen[_MODEL_OVERRIDE_KEYS[key]] = value
    return ModelOverride(**chosen)


def toml_string(text: str) -> str:
    """A TOML basic string, for diagnostics that tell what to write in the overrides file.

    JSON's string escapes are TOML's, except that TOML does not allow a raw DEL.
    """
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
