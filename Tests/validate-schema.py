#!/usr/bin/python3
"""Validate a JSON document against one of the runtime spec's JSON Schemas.

    validate-schema.py SCHEMA_DIR SCHEMA_NAME DOCUMENT

SCHEMA_DIR is the spec's schema/ directory, SCHEMA_NAME one of its files
(config-schema.json, state-schema.json, features-schema.json, ...), and
DOCUMENT the path of the JSON file to check.

Exit status: 0 when the document is valid; 1 when it is not, with one line
per problem on stdout ("<JSON path>: <message>"); 2 when it cannot be
checked at all (jsonschema missing, schema unreadable, bad arguments), with
the reason on stderr. A test must fail on 2, never pass: a validator that
cannot run must not look like one that found nothing.

The unit tests (Tests/OCITests) and the integration tests
(Tests/IntegrationTests) both run this file with Debian's /usr/bin/python3
and python3-jsonschema (4.10 in Debian 12); newer jsonschema versions work
too. Standard library plus jsonschema only.
"""

import json
import sys
import warnings
from pathlib import Path

sys.dont_write_bytecode = True


def cannot_check(message):
    print(f"validate-schema.py: {message}", file=sys.stderr)
    sys.exit(2)


def load_schemas(schema_dir):
    """Every schema of the directory, by its file URI. The schemas $ref each
    other by relative file name ("defs.json#/definitions/..."), which
    resolve against the URI of the schema that holds the reference."""
    schemas = {}
    for path in sorted(schema_dir.glob("*.json")):
        try:
            schemas[path.as_uri()] = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            cannot_check(f"{path}: {error}")
    return schemas


def draft4_validator(jsonschema, schemas, schema_uri):
    """A Draft 4 validator (the spec's schemas say draft-04) whose $refs are
    served from `schemas`, never fetched."""
    schema = schemas[schema_uri]
    try:
        # jsonschema 4.18 and later: the `referencing` library. RefResolver
        # still exists there but warns that it is deprecated.
        import referencing
        import referencing.jsonschema
    except ImportError:
        # jsonschema before 4.18 (Debian 12 has 4.10): RefResolver with a
        # store holding every schema under its file URI, and the schema's
        # own URI as the base the relative references resolve against.
        resolver = jsonschema.RefResolver(base_uri=schema_uri, referrer=schema, store=schemas)
        return jsonschema.Draft4Validator(schema, resolver=resolver)
    registry = referencing.Registry().with_resources(
        (uri, referencing.Resource.from_contents(contents, default_specification=referencing.jsonschema.DRAFT4))
        for uri, contents in schemas.items())
    # Draft 4 names its base URI "id"; the spec's schemas have none, so give
    # the root schema its file URI to resolve "defs.json#/..." against.
    return jsonschema.Draft4Validator(dict(schema, id=schema_uri), registry=registry)


def main(argv):
    if len(argv) != 4:
        cannot_check("usage: validate-schema.py SCHEMA_DIR SCHEMA_NAME DOCUMENT")
    schema_dir, schema_name, document_path = Path(argv[1]).resolve(), argv[2], Path(argv[3])
    try:
        import jsonschema
    except ImportError as error:
        cannot_check(f"{error} (Debian: apt-get install python3-jsonschema)")

    schemas = load_schemas(schema_dir)
    schema_uri = (schema_dir / schema_name).as_uri()
    if schema_uri not in schemas:
        cannot_check(f"no schema {schema_name} in {schema_dir}")

    try:
        text = document_path.read_text()
    except OSError as error:
        cannot_check(f"{document_path}: {error}")
    try:
        document = json.loads(text)
    except ValueError as error:
        # Not JSON is a verdict on the document (the spec's bad examples
        # include one), not a failure of the validator.
        print(f"(document): not JSON: {error}")
        return 1

    # An unresolvable $ref raises (RefResolutionError, or referencing's
    # Unresolvable): that is a broken setup, not an invalid document.
    try:
        with warnings.catch_warnings():
            # Deprecations inside jsonschema are its business, not a verdict;
            # a run with -W error must not fail because of them.
            warnings.simplefilter("ignore", DeprecationWarning)
            validator = draft4_validator(jsonschema, schemas, schema_uri)
            errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    except Exception as error:  # any failure to check must not read as "valid"
        cannot_check(f"cannot validate against {schema_name}: {type(error).__name__}: {error}")

    for error in errors:
        path = "/".join(str(part) for part in error.absolute_path) or "(document)"
        print(f"{path}: {error.message}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
