#!/usr/bin/env python3
"""Generates ConfidentialityProfile+Generated.swift: PS3.15 Table E.1-1, the Basic Application Level
Confidentiality Profile and its options, as Swift data.

Sources (machine-readable renderings of PS3.15 Table E.1-1, both from PyPI):
  - the Basic Profile column, edition 2026c: `dicom-anonymizer` 2.1.0
    (dicomanonymizer/dicom_anonymization_databases/dicomfields_2026c.py, scraped from the standard by
    its authors), one list of tags per action;
  - the option columns (Retain Safe Private, Retain UIDs, Retain Device Identity, Retain Institution
    Identity, Retain Patient Characteristics, Retain Longitudinal Temporal Information with Full Dates
    or Modified Dates, Clean Descriptors, Clean Structured Content, Clean Graphics), edition 2020:
    `dicom-standard` 0.1.0 (standard/confidentiality_profile_attributes.json, innolitics' rendering).

Attributes the table gained after 2020 have no option column in the second source. For them this
script applies the two rules that every 2020 row follows (checked below, and printed when they do not
hold): the Retain UIDs option keeps (K) what the basic profile replaces with a new UID (U), and the
longitudinal options keep (K, full dates) or modify (C, modified dates) every date and time (VR DA, DT,
TM) but the patient's birth date and time. Every other option leaves them to the basic profile: the
stricter reading.

Run from the repository root, after `pip install dicom-anonymizer==2.1.0 dicom-standard==0.1.0 pydicom`:
  python3 Sources/Deidentification/Profile/generate_profile.py
The output is committed; nobody edits it by hand.
"""
import importlib.metadata
import json
import os
import subprocess
import sys

import pydicom.datadict as datadict
from dicomanonymizer.dicom_anonymization_databases import dicomfields_2026c as basic_source

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "ConfidentialityProfile+Generated.swift")

# Basic profile lists of dicom-anonymizer -> the action as Table E.1-1 writes it.
BASIC_LISTS = {
    "D_TAGS": "D", "Z_TAGS": "Z", "X_TAGS": "X", "U_TAGS": "U", "Z_D_TAGS": "Z/D", "X_Z_TAGS": "X/Z",
    "X_D_TAGS": "X/D", "X_Z_D_TAGS": "X/Z/D", "X_Z_U_STAR_TAGS": "X/Z/U*",
}
SWIFT_ACTION = {
    "D": ".dummy", "Z": ".empty", "X": ".remove", "U": ".newUID", "Z/D": ".emptyOrDummy",
    "X/Z": ".removeOrEmpty", "X/D": ".removeOrDummy", "X/Z/D": ".removeEmptyOrDummy",
    "X/Z/U*": ".removeEmptyOrNewUIDs",
}
# innolitics' option keys -> the Swift option names.
OPTIONS = {
    "rtnSafePrivOpt": "retainSafePrivate", "rtnUIDsOpt": "retainUIDs", "rtnDevIdOpt": "retainDeviceIdentity",
    "rtnInstIdOpt": "retainInstitutionIdentity", "rtnPatCharsOpt": "retainPatientCharacteristics",
    "rtnLongFullDatesOpt": "retainLongitudinalFullDates",
    "rtnLongModifDatesOpt": "retainLongitudinalModifiedDates", "cleanDescOpt": "cleanDescriptors",
    "cleanStructContOpt": "cleanStructuredContent", "cleanGraphOpt": "cleanGraphics",
}
BIRTH = {0x00100030, 0x00100032}


def option_source():
    try:
        dist = importlib.metadata.distribution("dicom-standard")
    except importlib.metadata.PackageNotFoundError:
        sys.exit("dicom-standard is not installed: pip install dicom-standard==0.1.0")
    path = next(f for f in dist.files if f.name == "confidentiality_profile_attributes.json")
    return json.load(open(dist.locate_file(path)))


def vr_of(tag):
    try:
        return datadict.dictionary_VR(tag)
    except KeyError:
        return ""


def derived_options(tag, basic):
    """The options of an attribute newer than the 2020 rendering, by the rules every 2020 row follows."""
    options = {}
    if basic == "U":
        options["retainUIDs"] = "K"
    if vr_of(tag) in ("DA", "DT", "TM") and tag not in BIRTH:
        options["retainLongitudinalFullDates"] = "K"
        options["retainLongitudinalModifiedDates"] = "C"
    return options


def check_rules(rows):
    """Prints the 2020 rows that the derivation rules would get wrong, so a reader can judge them."""
    for row in rows:
        try:
            tag = int(row["id"], 16)
        except ValueError:
            continue
        actual = {OPTIONS[k]: v for k, v in row.items() if k in OPTIONS}
        for name, action in derived_options(tag, row["basicProfile"]).items():
            if actual.get(name) != action:
                print(f"note: rule differs for {row['name']} ({row['tag']}): {name} is {actual.get(name)}")


def main():
    option_rows = option_source()
    check_rules(option_rows)
    options_by_tag = {}
    for row in option_rows:
        try:
            tag = int(row["id"], 16)
        except ValueError:
            continue  # private attributes and repeating groups: handled by name below
        options_by_tag[tag] = {OPTIONS[k]: v for k, v in row.items() if k in OPTIONS}

    exact, masked = {}, []
    for list_name, action in BASIC_LISTS.items():
        for entry in getattr(basic_source, list_name):
            if len(entry) == 2:
                tag = entry[0] << 16 | entry[1]
                if tag in exact and exact[tag] != action:
                    sys.exit(f"({entry[0]:04X},{entry[1]:04X}) is in two lists")
                exact[tag] = action
            else:
                group, element, group_mask, element_mask = entry
                masked.append((group << 16 | element, group_mask << 16 | element_mask, action))

    def rule(tag, action, options):
        keep = sorted(n for n, a in options.items() if a == "K")
        clean = sorted(n for n, a in options.items() if a == "C")
        remove = sorted(n for n, a in options.items() if a == "X")
        parts = [SWIFT_ACTION[action]]
        parts.append("keep: [" + ", ".join("." + n for n in keep) + "]")
        parts.append("clean: [" + ", ".join("." + n for n in clean) + "]")
        if remove:
            parts.append("remove: [" + ", ".join("." + n for n in remove) + "]")
        return "ProfileRule(" + ", ".join(parts) + ")"

    lines = [
        "// Generated by generate_profile.py from PS3.15 Table E.1-1 (see its sources there). Do not edit.",
        "",
        "extension ConfidentialityProfile {",
        "  /// The attributes of Table E.1-1 by tag (group << 16 | element).",
        "  static let rules: [UInt32: ProfileRule] = [",
    ]
    for tag in sorted(exact):
        options = options_by_tag.get(tag)
        if options is None:
            options = derived_options(tag, exact[tag])
        keyword = datadict.keyword_for_tag(tag) or "unknown"
        lines.append(f"    0x{tag:08X}: {rule(tag, exact[tag], options)},  // {keyword}")
    lines += [
        "  ]",
        "",
        "  /// The repeating-group attributes of Table E.1-1: a tag matches when tag & mask == value.",
        "  static let maskedRules: [(value: UInt32, mask: UInt32, rule: ProfileRule)] = [",
    ]
    # Repeating groups: Curve Data (50xx,xxxx), Overlay Data and Comments (60xx,3000 and 4000), which
    # the 2020 rendering lists with the Clean Graphics option and no tag.
    for value, mask, action in sorted(masked):
        options = {"cleanGraphics": "C"}
        lines.append(f"    (0x{value:08X}, 0x{mask:08X}, {rule(value, action, options)}),")
    lines += ["  ]", "}", ""]
    with open(OUTPUT, "w") as out:
        out.write("\n".join(lines))
    subprocess.run(["swift", "format", "-i", OUTPUT], check=True)  # as every source of the project
    print(f"{len(exact)} attributes and {len(masked)} repeating groups written to {OUTPUT}")


if __name__ == "__main__":
    main()
