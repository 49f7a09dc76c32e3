#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that the sysfs ABI document and the driver agree.

Every attribute the driver declares (DEVICE_ATTR_RO/RW/WO, CLASS_ATTR_*,
__ATTR(name, mode, ...)) must be documented in
Documentation/ABI/testing/sysfs-block-zswapblk with the same mode (RO, RW,
WO), every documented attribute must exist in the driver, and every declared
attribute must be listed in an attribute array.  Prints TAP.
"""
import os
import re
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DOC = os.path.join(TOP, "Documentation/ABI/testing/sysfs-block-zswapblk")
SOURCES = [os.path.join(TOP, "driver", f)
           for f in sorted(os.listdir(os.path.join(TOP, "driver")))
           if f.endswith(".c")]


def mode_of_octal(mode):
    m = int(mode, 8)
    r, w = bool(m & 0o444), bool(m & 0o222)
    return "RW" if r and w else "RO" if r else "WO"


def driver_attrs():
    """name -> (mode, listed) from the driver sources."""
    attrs, listed = {}, set()
    for path in SOURCES:
        text = open(path).read()
        for kind, name in re.findall(r"\b(?:DEVICE|CLASS)_ATTR_(RO|RW|WO)\((\w+)\)", text):
            attrs[name] = kind
        for name, mode in re.findall(r"__ATTR\((\w+),\s*(0[0-7]+)", text):
            attrs[name] = mode_of_octal(mode)
        listed.update(re.findall(r"&(?:dev|class)_attr_(\w+)\.attr", text))
    return attrs, listed


def doc_attrs():
    """name -> mode from the ABI document (several What: may share a body)."""
    attrs, names = {}, []
    for line in open(DOC):
        m = re.match(r"What:\s+/sys/\S+/(\w+)\s*$", line)
        if m:
            names.append(m.group(1))
            continue
        m = re.match(r"\s+(RO|RW|WO)\b", line)
        if m and names:
            for n in names:
                attrs[n] = m.group(1)
            names = []
        elif line.startswith("Description:"):
            continue
    return attrs


def main():
    code, doc = driver_attrs(), doc_attrs()
    attrs, listed = code
    checks = []
    for name in sorted(set(attrs) | set(doc)):
        if name not in attrs:
            checks.append((False, f"{name}: documented but not in the driver"))
        elif name not in doc:
            checks.append((False, f"{name}: in the driver but not documented"))
        elif attrs[name] != doc[name]:
            checks.append((False, f"{name}: driver says {attrs[name]}, document says {doc[name]}"))
        else:
            checks.append((True, f"{name}: {attrs[name]} in driver and document"))
        if name in attrs and name not in listed:
            checks.append((False, f"{name}: declared but in no attribute array"))
    print(f"1..{len(checks)}")
    failed = 0
    for i, (ok, msg) in enumerate(checks, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - abi-doc: {msg}")
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
