#!/usr/bin/python3
"""hot-data.py BINARY LOG... — the data objects of BINARY that valgrind's
lackey saw read or written (`--trace-mem=yes` logs), in first-use order.

The data half of the linker's order file (see order-file.sh): with them side
by side, a command maps fewer pages of .rodata, .data.rel.ro and .data, and
touches fewer of .bss (where Swift keeps its lazy metadata and witness
table caches, a few bytes each, spread over every module). An
address with no symbol (merged string literals, a library's one big .rodata)
cannot be moved by the linker and is left out; a name that several objects
share comes last, for the reason order-file.sh gives for functions.
"""

import bisect
import subprocess
import sys

ORDERED_SECTIONS = (".rodata", ".data.rel.ro", ".data", ".bss")


def readelf(*arguments):
    return subprocess.run(["readelf", "-W", *arguments], capture_output=True, text=True, check=True).stdout


def section_ranges(binary):
    ranges = []
    for line in readelf("-S", binary).splitlines():
        line = line.strip()
        if not line.startswith("[") or "]" not in line:
            continue
        fields = line[line.index("]") + 1:].split()
        if len(fields) > 4 and fields[0] in ORDERED_SECTIONS:
            start = int(fields[2], 16)
            ranges.append((start, start + int(fields[4], 16)))
    return ranges


def data_objects(binary, ranges):
    """(address, size, name) of every sized data object in the ordered sections."""
    objects = []
    for line in readelf("-s", binary).splitlines():
        fields = line.split()
        if len(fields) < 8 or fields[3] != "OBJECT" or fields[6] in ("UND", "ABS"):
            continue
        address, size = int(fields[1], 16), int(fields[2], 0)
        if size > 0 and any(start <= address < end for start, end in ranges):
            objects.append((address, size, fields[7]))
    return sorted(objects)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: hot-data.py BINARY LOG...")
    binary, logs = sys.argv[1], sys.argv[2:]
    ranges = section_ranges(binary)
    objects = data_objects(binary, ranges)
    starts = [address for address, _, _ in objects]
    definitions = {}
    for _, _, name in objects:
        definitions[name] = definitions.get(name, 0) + 1
    seen, shared = set(), []
    for log in logs:
        with open(log, errors="replace") as lines:
            for line in lines:
                # Data accesses are " L addr,size", " S ...", " M ..."; "I" is code.
                if line[:2] not in (" L", " S", " M"):
                    continue
                address = int(line.split()[1].split(",")[0], 16)
                index = bisect.bisect_right(starts, address) - 1
                if index < 0:
                    continue
                start, size, name = objects[index]
                if address < start + size and name not in seen:
                    seen.add(name)
                    if definitions[name] > 1:
                        shared.append(name)
                    else:
                        print(name)
    print("\n".join(shared))


if __name__ == "__main__":
    main()
