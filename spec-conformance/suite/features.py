"""features.md and features-linux.md: the features document, its schema,
and that what it lists really works."""

import json
import re

import ocitest
from .framework import Fail, Skip, check, test
from .hooks import HOOK_KINDS, Hooks
from .mounts import PROPAGATION, RECURSIVE_CLEAR, RECURSIVE_SET, mount_fixture
from .schemas import schema_errors, schema_validator


def features(case):
    """The runtime's features document; Skip when it offers none (a MAY)."""
    result = case.call("features")
    if not result.ok:
        raise Skip(f"runtime provides no features structure (optional): {result.first_stderr_line}")
    try:
        return result.json()
    except ValueError as error:
        raise Fail(f"features output is not JSON: {error}", result)


def version_key(version):
    """Order semantic versions; a pre-release (1.0.2-dev) sorts before its release."""
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?", version or "")
    if not match:
        raise Fail(f"{version!r} is not a semantic version")
    major, minor, patch, pre = match.groups()
    return (int(major), int(minor), int(patch), pre is None, pre or "")


@test
def features_version_fields(case):
    """features has ociVersionMin and ociVersionMax, both strings"""
    document = features(case)
    for key in ("ociVersionMin", "ociVersionMax"):
        check(isinstance(document.get(key), str), f"{key} missing or not a string", value=document.get(key))


def accepts_version(case, key):
    version = features(case).get(key)
    check(isinstance(version, str), f"no {key}")
    bundle = case.bundle(edit=lambda config: config.__setitem__("ociVersion", version))
    case.create(bundle)


@test
def features_accepts_min(case):
    """create accepts a config.json whose ociVersion is ociVersionMin"""
    accepts_version(case, "ociVersionMin")


@test
def features_accepts_max(case):
    """create accepts a config.json whose ociVersion is ociVersionMax"""
    accepts_version(case, "ociVersionMax")


@test
def features_max_not_less(case):
    """ociVersionMax is not less than ociVersionMin"""
    document = features(case)
    check(version_key(document.get("ociVersionMax")) >= version_key(document.get("ociVersionMin")),
          "ociVersionMax < ociVersionMin", min=document.get("ociVersionMin"), max=document.get("ociVersionMax"))


@test
def features_schema(case):
    """features validates against features-schema.json and has no undefined properties"""
    document = features(case)
    validator = schema_validator("features-schema.json")
    errors = schema_errors(validator, document)
    check(not errors, "features does not match the schema", errors=errors)
    schema, schema_dir = validator.schema, ocitest.spec_dir() / "schema"
    # The schema allows additional properties; the spec does not. The prose
    # is the authority (features-linux.md defines memoryPolicy, which the
    # schema lacks), so a property is defined when either names it.
    linux_schema = json.loads((schema_dir / "features-linux.json").read_text())["linux"]
    defined = set(schema["properties"]) | documented_properties("features.md")
    defined_linux = set(linux_schema["properties"]) | documented_properties("features-linux.md")
    unknown = [key for key in document if key not in defined]
    unknown += [f"linux.{key}" for key in (document.get("linux") or {}) if key not in defined_linux]
    check(not unknown, "properties not defined by the spec", properties=unknown)


def documented_properties(markdown):
    """Property names a spec page defines: its "**`name`** (type, …)" lines.
    Nested names are included too, which only makes the check lenient."""
    text = (ocitest.spec_dir() / markdown).read_text()
    return set(re.findall(r"^\s*(?:\* )?\*\*`([A-Za-z0-9]+)`\*\*", text, re.MULTILINE))


@test
def features_annotations(case):
    """features.annotations, when present, maps strings to strings"""
    annotations = features(case).get("annotations")
    if annotations is None:
        return
    check(isinstance(annotations, dict), "annotations is not a map", annotations=annotations)
    bad = {k: v for k, v in annotations.items() if not (isinstance(k, str) and k and isinstance(v, str))}
    check(not bad, "annotations with a non-string key or value", annotations=bad)



@test
def features_hooks_supported(case):
    """each hook listed in features.hooks runs when config.json has it"""
    listed = features(case).get("hooks")
    if listed is None:
        raise Skip("features has no hooks list (unknown)")
    unknown = [kind for kind in listed if kind not in HOOK_KINDS]
    check(not unknown, "features.hooks lists hooks the spec does not define", hooks=unknown)
    hooks = Hooks(case)

    def configure(config):
        hooks.configure(config)
        config["hooks"] = {kind: [hooks.entry(kind)] for kind in listed}
    container_id = case.create(case.bundle(["true"], edit=configure))
    case.expect_ok("start", container_id)
    case.wait_for(container_id, "stopped")
    case.expect_ok("delete", container_id)
    ran = hooks.names()
    for kind in listed:
        case.verdict("features.hooks.supported", "ok" if kind in ran else "not ok",
                     f"{kind} {'ran' if kind in ran else 'did not run'}; hooks that ran: {ran}")


def spec_mount_options():
    """The options of config.md's table of Linux mount options."""
    text = (ocitest.spec_dir() / "config.md").read_text()
    return set(re.findall(r"^\s*`([a-z]+)\s*`\s*\|\s*(?:MUST|MAY|SHOULD)", text, re.MULTILINE))


@test
def features_mount_options(case):
    """each option listed in features.mountOptions is accepted on a mount of its kind"""
    listed = features(case).get("mountOptions")
    if listed is None:
        raise Skip("features has no mountOptions list (unknown)")
    plain = mount_fixture(case, "plain")
    mapping = [{"containerID": 0, "hostID": 1000, "size": 1}]
    bind_kind = set(RECURSIVE_SET + RECURSIVE_CLEAR + PROPAGATION + ["r" + o for o in PROPAGATION] +
                    ["bind", "rbind", "rnodev"])

    def mount(index, option):
        destination = f"/mnt/{index}-{option}"
        if option in ("idmap", "ridmap"):
            return {"destination": destination, "type": "bind", "source": str(plain),
                    "options": ["rbind" if option == "ridmap" else "bind", option],
                    "uidMappings": mapping, "gidMappings": mapping}
        if option == "remount":  # remount a bind mount read-only (remount alone would remount nothing)
            return {"destination": destination, "type": "bind", "source": str(plain),
                    "options": ["bind", "ro", option]}
        if option in bind_kind:
            return {"destination": destination, "type": "bind", "source": str(plain), "options": ["rbind", option]}
        return {"destination": destination, "type": "tmpfs", "source": "tmpfs", "options": [option]}

    def accepted(options):
        bundle = case.bundle(["true"], edit=lambda config: config["mounts"].extend(
            [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["mode=0755"]}] +
            [mount(i, o) for i, o in enumerate(options)]))
        container_id = case.new_id()
        created = case.call("create", "--bundle", bundle, container_id)
        if created.ok:
            started = case.call("start", container_id)
            case.runtime.force_delete(container_id)
            return started if not started.ok else None
        return created
    if accepted(listed) is None:
        case.verdict("features.mountOptions.recognized", "ok", f"a container with all {len(listed)} options on "
                     "their own mounts was created and started")
        return
    for option in listed:  # one container per option: one refusal must not hide the others
        refused = accepted([option])
        if refused is not None and option in ("idmap", "ridmap") and "invalid argument" in refused.first_stderr_line:
            # The kernel's EINVAL: the fixture's file system cannot be
            # idmapped (tmpfs before Linux 6.3, as in the test guest).
            case.verdict("features.mountOptions.recognized", "skip",
                         f"{option}: the kernel cannot idmap the fixture's file system: {refused.first_stderr_line}")
            continue
        case.verdict("features.mountOptions.recognized", "ok" if refused is None else "not ok",
                     f"{option}: " + ("accepted" if refused is None else f"refused: {refused.first_stderr_line}"))


@test
def features_mount_options_not_fs_specific(case):
    """features.mountOptions lists only options of the spec's Linux mount options table, no filesystem data"""
    listed = features(case).get("mountOptions")
    if listed is None:
        raise Skip("features has no mountOptions list (unknown)")
    table = spec_mount_options()
    check(len(table) > 40, "could not read the mount options table of config.md", found=sorted(table))
    # The table misses some recursive forms (rnodev, while features.md's
    # example lists it): r<option> of a flag option is a flag too.
    extra = [o for o in listed if o not in table and not (o.startswith("r") and o[1:] in table)]
    check(not extra, "options that are not mount(2) flags of the spec's table (filesystem-specific data?)",
          options=extra)
