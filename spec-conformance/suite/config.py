"""config.md, the parts that are not process, mounts or hooks: root,
ociVersion, annotations and extensibility (unknown properties)."""

from .framework import expect_create_error, expect_create_ok, test


@test
def root_path_missing(case):
    """a root.path that does not exist errors"""
    expect_create_error(case, "a missing root.path", lambda c: c["root"].__setitem__("path", "/nonexistent-rootfs"))


@test
def unknown_properties_ignored(case):
    """unknown properties (top level, process, linux) are ignored"""
    def edit(config):
        config["org.example.conformance"] = {"anything": [1, 2]}
        config["process"]["conformanceUnknown"] = True
        config["linux"]["conformanceUnknown"] = "x"
    expect_create_ok(case, "unknown properties", edit)


@test
def unknown_annotations_ignored(case):
    """annotations with unknown keys are accepted"""
    expect_create_ok(case, "unknown annotations", lambda c: c.__setitem__(
        "annotations", {"org.example.conformance.unknown": "value", "com.example.key": ""}))


@test
def config_version_min_accepted(case):
    """a config with ociVersion 1.0.0 is accepted"""
    expect_create_ok(case, "ociVersion 1.0.0", lambda c: c.__setitem__("ociVersion", "1.0.0"))
