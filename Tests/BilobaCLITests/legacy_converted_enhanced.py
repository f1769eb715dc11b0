"""Converts a folder of single-frame CT slices into one Legacy Converted Enhanced CT Image with
highdicom (a peer's enhanced multi-frame object: every frame's position in its own functional group),
and prints, as JSON, the orientation and each frame's Image Position (Patient) as pydicom reads them."""
import glob
import json
import sys

import pydicom
from highdicom.legacy import LegacyConvertedEnhancedCTImage

source, target = sys.argv[1], sys.argv[2]
slices = [pydicom.dcmread(path) for path in sorted(glob.glob(source + "/*.dcm"))]
enhanced = LegacyConvertedEnhancedCTImage(
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
