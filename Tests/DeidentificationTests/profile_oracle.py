#!/usr/bin/env python3
"""The tests' oracle for PS3.15 Table E.1-1, read from the standard's renderings on PyPI, not from
Biloba's generated table: prints {"XXXXXXXX": {"basic": "X/Z", "options": {"cleanDescriptors": "C"}}}.
Basic profile: dicom-anonymizer 2.1.0 (edition 2026c). Options: dicom-standard 0.1.0 (edition 2020)."""
import importlib.metadata
import json

from dicomanonymizer.dicom_anonymization_databases import dicomfields_2026c as basic

LISTS = {"D_TAGS": "D", "Z_TAGS": "Z", "X_TAGS": "X", "U_TAGS": "U", "Z_D_TAGS": "Z/D", "X_Z_TAGS": "X/Z",
         "X_D_TAGS": "X/D", "X_Z_D_TAGS": "X/Z/D", "X_Z_U_STAR_TAGS": "X/Z/U*"}
OPTIONS = {"rtnSafePrivOpt": "retainSafePrivate", "rtnUIDsOpt": "retainUIDs", "rtnDevIdOpt": "retainDeviceIdentity",
           "rtnInstIdOpt": "retainInstitutionIdentity", "rtnPatCharsOpt": "retainPatientCharacteristics",
           "rtnLongFullDatesOpt": "retainLongitudinalFullDates",
           "rtnLongModifDatesOpt": "retainLongitudinalModifiedDates", "cleanDescOpt": "cleanDescriptors",
           "cleanStructContOpt": "cleanStructuredContent", "cleanGraphOpt": "cleanGraphics"}

table = {}
for name, action in LISTS.items():
    for entry in getattr(basic, name):
        if len(entry) == 2:
            table["%04X%04X" % entry] = {"basic": action, "options": {}}

# Rows newer than the 2020 rendering have no option columns there; they get the two rules every 2020
# row follows (new UIDs kept under Retain UIDs; dates and times but the birth date and time kept or
# moved under the longitudinal options), VRs from pydicom's dictionary.
import pydicom.datadict as datadict

for key, row in table.items():
    tag = int(key, 16)
    if row["basic"] == "U":
        row["options"]["retainUIDs"] = "K"
    try:
        vr = datadict.dictionary_VR(tag)
    except KeyError:
        vr = ""
    if vr in ("DA", "DT", "TM") and tag not in (0x00100030, 0x00100032):
        row["options"]["retainLongitudinalFullDates"] = "K"
        row["options"]["retainLongitudinalModifiedDates"] = "C"

dist = importlib.metadata.distribution("dicom-standard")
path = next(f for f in dist.files if f.name == "confidentiality_profile_attributes.json")
for row in json.load(open(dist.locate_file(path))):
    key = row["id"].upper()
    if key in table:
        table[key]["options"] = {OPTIONS[k]: v for k, v in row.items() if k in OPTIONS}
print(json.dumps(table))
