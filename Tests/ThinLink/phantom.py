#!/usr/bin/env python3
"""Writes a CT phantom with pydicom: SLICES slices of 512x512, an abdomen-like cross-section (body, fat,
lungs, liver, spine, aorta, two lesions that come and go) with gaussian noise of 10 HU, rescale
intercept -1024, one study and one series, CT Image Storage Part 10 files CT0001.dcm ...

usage: phantom.py OUTDIR [SLICES]
"""
import os
import sys

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid


def ellipse(shape, cy, cx, ry, rx):
    y, x = np.ogrid[: shape[0], : shape[1]]
    return ((y - cy) / ry) ** 2 + ((x - cx) / rx) ** 2 <= 1


def slice_hu(z, n, rng):
    hu = np.full((512, 512), -1000.0)
    t = z / max(1, n - 1)
    hu[ellipse(hu.shape, 256, 256, 190 - 20 * t, 235)] = -100  # fat
    hu[ellipse(hu.shape, 256, 256, 170 - 20 * t, 215)] = 40  # soft tissue
    lungs = max(0.0, 1 - 2 * t)
    if lungs > 0:
        hu[ellipse(hu.shape, 220, 170, 70 * lungs + 1, 55)] = -850
        hu[ellipse(hu.shape, 220, 342, 70 * lungs + 1, 55)] = -850
    hu[ellipse(hu.shape, 250, 330, 60 + 40 * t, 70)] = 60  # liver
    hu[ellipse(hu.shape, 360, 256, 28, 26)] = 700  # vertebra
    hu[ellipse(hu.shape, 360, 256, 16, 14)] = 250  # marrow
    hu[ellipse(hu.shape, 300, 230, 14, 14)] = 180  # aorta, enhanced
    if 0.3 < t < 0.6:
        hu[ellipse(hu.shape, 240, 320, 12, 12)] = 20  # a lesion in the liver
    if 0.5 < t < 0.8:
        hu[ellipse(hu.shape, 200, 200, 8, 8)] = 90
    return hu + rng.normal(0, 10, hu.shape)


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(512)
    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    for z in range(n):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = Dataset()
        ds.file_meta = meta
        ds.SOPClassUID = CTImageStorage
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
        ds.PatientName, ds.PatientID = "THINLINK^PHANTOM", "TL512"
        ds.StudyDate, ds.StudyTime, ds.StudyDescription = "20250101", "120000", "Thin link phantom"
        ds.Modality, ds.SeriesNumber, ds.SeriesDescription = "CT", 1, "Axial 2.5mm"
        ds.InstanceNumber = z + 1
        ds.ImagePositionPatient = [-250.0, -250.0, -2.5 * z]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.SliceLocation, ds.SliceThickness, ds.PixelSpacing = -2.5 * z, 2.5, [0.9765625, 0.9765625]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.Rows = ds.Columns = 512
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = -1024, 1, "HU"
        ds.WindowCenter, ds.WindowWidth = 40, 400
        stored = np.clip(np.rint(slice_hu(z, n, rng)) + 1024, 0, 4095).astype("<u2")
        ds.PixelData = stored.tobytes()
        ds.save_as(os.path.join(out, "CT%04d.dcm" % (z + 1)), enforce_file_format=True)


if __name__ == "__main__":
    main()
