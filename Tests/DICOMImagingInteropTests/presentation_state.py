"""Writes a Grayscale Softcopy Presentation State for an image (or every image of a folder), made with highdicom (VOI, modality and
presentation LUTs, annotations) and pydicom (spatial transformation and shutters, which highdicom does
not write). Usage: presentation_state.py IMAGE OUTPUT MODE[,MODE...]; modes: window, inverse, rescale,
voilut, plut, rotate90, rotate180, rotate270, flip, bitmap, rect, polyline."""
import glob
import os
import sys

import highdicom as hd
import numpy as np
import pydicom
from pydicom.uid import generate_uid

image_path, output, modes = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
paths = sorted(glob.glob(os.path.join(image_path, "*.dcm"))) if os.path.isdir(image_path) else [image_path]
images = [pydicom.dcmread(path) for path in paths]
image = images[0]
options = {}
if "window" in modes:
    options["voi_lut_transformations"] = [hd.pr.SoftcopyVOILUTTransformation(window_center=60.0, window_width=180.0)]
if "voilut" in modes:
    # A VOI LUT over 0..599 HU (highdicom takes no negative first value), 12 bits out: an S-curve.
    ramp = np.linspace(0.0, 1.0, 600)
    curve = (3 * ramp**2 - 2 * ramp**3) * 4095
    options["voi_lut_transformations"] = [
        hd.pr.SoftcopyVOILUTTransformation(voi_luts=[hd.VOILUT(first_mapped_value=0, lut_data=curve.astype(np.uint16))])
    ]
if "rescale" in modes:
    options["modality_lut_transformation"] = hd.ModalityLUTTransformation(rescale_intercept=-1000.0, rescale_slope=1.0, rescale_type="HU")
shape = hd.PresentationLUTShapeValues.INVERSE if "inverse" in modes else hd.PresentationLUTShapeValues.IDENTITY
if "plut" in modes:
    # A presentation LUT of 256 entries, a square-root curve to 16-bit P-values.
    table = (np.sqrt(np.linspace(0.0, 1.0, 256)) * 65535).astype(np.uint16)
    plut = hd.PresentationLUTTransformation(presentation_lut=hd.PresentationLUT(first_mapped_value=0, lut_data=table))
else:
    plut = hd.PresentationLUTTransformation(presentation_lut_shape=shape)
if "polyline" in modes:
    options["graphic_layers"] = [hd.pr.GraphicLayer(layer_name="MARKS", order=1)]
    options["graphic_annotations"] = [
        hd.pr.GraphicAnnotation(
            referenced_images=images,
            graphic_layer=options["graphic_layers"][0],
            graphic_objects=[
                hd.pr.GraphicObject(
                    graphic_type=hd.pr.GraphicTypeValues.POLYLINE,
                    graphic_data=np.array([[4.5, 5.5], [40.5, 5.5], [40.5, 30.5]]),
                    units=hd.pr.AnnotationUnitsValues.PIXEL,
                )
            ],
            text_objects=[
                hd.pr.TextObject(
                    text_value="LESION 1", anchor_point=(10.0, 10.0), units=hd.pr.AnnotationUnitsValues.PIXEL
                )
            ],
        )
    ]
state = hd.pr.GrayscaleSoftcopyPresentationState(
    referenced_images=images, series_instance_uid=generate_uid(), series_number=99,
    sop_instance_uid=generate_uid(), instance_number=1, manufacturer="peer", manufacturer_model_name="highdicom",
    software_versions=hd.__version__, device_serial_number="1", content_label="READING",
    content_description="as the reader left it",
    presentation_lut_transformation=plut, **options)
for degrees in (90, 180, 270):
    if f"rotate{degrees}" in modes:
        state.ImageRotation = degrees
state.ImageRotation = state.get("ImageRotation", 0)
state.ImageHorizontalFlip = "Y" if "flip" in modes else "N"
if "bitmap" in modes:
    rows, columns = image.Rows, image.Columns
    bits = np.zeros((rows, columns), dtype=np.uint8)
    bits[: rows // 3, :] = 1  # the top third covered
    bits[:, columns - 5:] = 1  # and a band on the right
    state.add_new(0x60000010, "US", rows)
    state.add_new(0x60000011, "US", columns)
    state.add_new(0x60000040, "CS", "G")
    state.add_new(0x60000050, "SS", [1, 1])
    state.add_new(0x60000100, "US", 1)
    state.add_new(0x60000102, "US", 0)
    state.add_new(0x60003000, "OW", pydicom.pixels.pack_bits(bits.ravel()))
    state.ShutterShape = "BITMAP"
    state.ShutterOverlayGroup = 0x6000
    state.ShutterPresentationValue = 0x8000
if "rect" in modes:
    state.ShutterShape = "RECTANGULAR"
    state.ShutterLeftVerticalEdge = 5
    state.ShutterRightVerticalEdge = 50
    state.ShutterUpperHorizontalEdge = 8
    state.ShutterLowerHorizontalEdge = 40
    state.ShutterPresentationValue = 0
state.save_as(output)
