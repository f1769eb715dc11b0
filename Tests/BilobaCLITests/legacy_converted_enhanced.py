"""Converts a folder of single-frame CT slices into one Legacy Converted Enhanced CT or MR Image with
highdicom (a peer's enhanced multi-frame object: every frame's position in its own functional group),
and prints, as JSON, the orientation and each frame's Image Position (Patient) as pydicom reads them.
Usage: legacy_converted_enhanced.py FOLDER OUTPUT CT|MR (MR: the slices are first relabelled MR images)."""
import glob
import json
import sys

import pydicom
from highdicom.legacy import LegacyConvertedEnhancedCTImage, LegacyConvertedEnhancedMRImage

source, target, modality = sys.argv[1], sys.argv[2], sys.argv[3]
slices = [pydicom.dcmread(path) for path in sorted(glob.glob(source + "/*.dcm"))]
if modality == "MR":
    for ds in slices:
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.4"  # MR Image Storage
        ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
        ds.Modality = "MR"
convert = LegacyConvertedEnhancedMRImage if modality == "MR" else LegacyConvertedEnhancedCTImage
enhanced = convert(
    legacy_datasets=slices,
    series_instance_uid=pydicom.uid.generate_uid(),
    series_number=9,
    sop_instance_uid=pydicom.uid.generate_uid(),
    instance_number=1,
)
enhanced.save_as(target)
written = pydicom.dcmread(target, stop_before_pixels=True)
shared = written.SharedFunctionalGroupsSequence[0]
print(json.dumps({
    "orientation": [float(x) for x in shared.PlaneOrientationSequence[0].ImageOrientationPatient],
    "positions": [
        [float(x) for x in frame.PlanePositionSequence[0].ImagePositionPatient]
        for frame in written.PerFrameFunctionalGroupsSequence
    ],
    "thickness": float(shared.PixelMeasuresSequence[0].SliceThickness),
}))
