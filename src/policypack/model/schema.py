"""JSON Schemas of the input files, generated from the models, for editors and other tools."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from policypack.model.flow import Flow, FlowVariant, SourceRegistry
from policypack.model.profile import Profile

SCHEMAS: dict[str, list[type[BaseModel]]] = {
    "flow": [Flow, FlowVariant],
    "sources": [SourceRegistry],
    "profile": [Profile],
}


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for one kind of input file."""
    from pydantic.json_schema import models_json_schema

    models = SCHEMAS[name]
    if name == "profile":
        schema = _profile_schema()
    elif len(models) == 1:
        schema = models[0].model_json_schema()
    else:
        _, defs = models_json_schema([(m, "validation") for m in models], ref_template="#/$defs/{model}")
        schema = {**defs, "oneOf": [{"$ref": f"#/$defs/{m.__name__}"} for m in models]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def _profile_schema() -> dict[str, Any]:
    """The profile's schema, with `brand` checked against brand.yml's own schema."""
    from brand_yml import Brand
    from pydantic.json_schema import models_json_schema

    _, defs = models_json_schema([(Profile, "validation"), (Brand, "validation")], ref_template="#/$defs/{model}")
    schema: dict[str, Any] = {**defs, "$ref": "#/$defs/Profile"}
    brand = {"anyOf": [{"$ref": "#/$defs/Brand"}, {"type": "string"}, {"type": "null"}], "default": None}
    schema["$defs"]["Profile"]["properties"]["brand"] = {**schema["$defs"]["Profile"]["properties"]["brand"], **brand}
    # brand_yml accepts `medium: crest` (the name of an entry in logo.images), as the brand.yml
    # format does, but its generated schema does not say so: widen it to match the package.
    for size in ("small", "medium", "large"):
        prop = schema["$defs"]["BrandLogo"]["properties"][size]
        schema["$defs"]["BrandLogo"]["properties"][size] = {"anyOf": [prop, {"type": "string"}]}
    return schema
