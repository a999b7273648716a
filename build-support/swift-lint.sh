#!/bin/sh
# `swift format lint` with the repository's .swift-format, as `make check` runs it.
#
#   build-support/swift-lint.sh SWIFT PATH...
#
# Fails when a rule of .swift-format finds something, or when swift-format
# itself reports an error (a file it cannot parse, an unknown rule name).
#
# The pretty-printer's layout findings (Indentation, AddLines, RemoveLine,
# Spacing, TrailingComma, LineLength, TrailingWhitespace) are left out:
# swift-format reports them in lint mode whatever the configuration says
# (https://github.com/swiftlang/swift-format/issues/764), and the code was
# not written by its formatter — they compare each line with what the
# formatter would print (about 950 findings today). Trailing whitespace
# would be worth checking, but main's Sources/Runtime/MountOptions.swift
# has one, and Sources/ is not this change's to edit: take it out of the
# pattern below once that line is clean. .swift-format's layout settings
# (4 spaces, 120 columns) describe the code's style for `swift format` on
# new code.
#
# .swift-format (JSON, so no comments there) turns on the rules that hold
# on the code today and are worth keeping. Off, because the code breaks
# them today and changing that is a decision of its own:
# AlwaysUseLowerCamelCase (C names such as O_PATH), DoNotUseSemicolons,
# NeverForceUnwrap, NoAccessLevelOnExtensionDeclaration, NoBlockComments,
# NoEmptyLinesOpeningClosingBraces, OneCasePerLine,
# OneVariableDeclarationPerLine, ReplaceForEachWithForLoop,
# UseWhereClausesInForLoops, OrderedImports (only in Tests/), and the
# documentation rules AllPublicDeclarationsHaveDocumentation and
# BeginDocumentationCommentWithOneLineSummary. Off as style choices the
# code need not follow: AlwaysUseLiteralForEmptyCollectionInit,
# NoLeadingUnderscores, OmitExplicitReturns, UseEarlyExits.
set -eu

swift=$1
shift

out=$(mktemp "${TMPDIR:-/tmp}/berth-swift-lint.XXXXXX")
trap 'rm -f "$out"' EXIT

# The exit status is not used: it is non-zero for the layout findings too.
"$swift" format lint --configuration .swift-format --recursive --parallel "$@" >"$out" 2>&1 || true

# What remains after the layout findings and their notes: findings of the
# configured rules, and swift-format's own errors. Each finding is printed
# once (--parallel can repeat a line).
findings=$(grep -v -E '(warning|error): \[(Indentation|AddLines|RemoveLine|Spacing|TrailingComma|LineLength|TrailingWhitespace)\]' "$out" |
    grep -v -E ': note: ' | sort -u || true)
if [ -n "$findings" ]; then
    printf '%s\n' "$findings" >&2
    echo "swift-lint: $(printf '%s\n' "$findings" | wc -l) finding(s)" >&2
    exit 1
fi
echo "swift-lint: no findings in $*"
