"""The spec's JSON Schemas (schema/*.json), for the tests that validate
the runtime's state and features documents."""

import json
import warnings

import ocitest


def schema_validator(name):
    """A validator for one of the spec's schemas, resolving its $refs
    (defs.json, …) from the same directory."""
    import jsonschema  # here, so that a missing package fails only these tests
    schema_dir = ocitest.spec_dir() / "schema"
    schema = json.loads((schema_dir / name).read_text())
    with warnings.catch_warnings():  # RefResolver: deprecated in newer jsonschema, current in Debian 12's
        warnings.simplefilter("ignore", DeprecationWarning)
        resolver = jsonschema.RefResolver(schema_dir.as_uri() + "/", schema)
    return jsonschema.Draft4Validator(schema, resolver=resolver)


def schema_errors(validator, document):
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(document)]
