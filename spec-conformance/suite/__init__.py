"""The conformance suite's tests, one module per area of the spec.

    framework   the Case each test gets, Skip/Fail, the @test registry
    runner      requirements.tsv, the TAP runner and the command line
    checker     checker.c run inside a container (probes use it)
    schemas     the spec's JSON Schemas

    state       runtime.md: the state document and the state operation
    lifecycle   runtime.md: create, start, kill, delete
    config      config.md: root, ociVersion, annotations, unknown properties
    process     config.md: process (user, cwd, rlimits, capabilities, ...)
    mounts      config.md: mounts and every mount option
    hooks       config.md: hooks, at their lifecycle steps
    namespaces  config-linux.md: namespaces and user namespace mappings
    devices     config-linux.md: devices
    cgroups     config-linux.md: cgroupsPath
    seccomp     config-linux.md: seccomp and its listener
    linux       config-linux.md: the rest (sysctl, masked paths, personality, ...)
    features    features.md

A test is a function decorated with @test in one of these modules; its
name is what requirements.tsv's `tests` column lists.
"""

# Importing the test modules registers their tests (framework.TESTS).
from . import cgroups, config, devices, features, hooks, lifecycle, linux, mounts, namespaces, process  # noqa: F401
from . import seccomp, state  # noqa: F401
