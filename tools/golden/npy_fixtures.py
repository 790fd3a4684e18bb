#!/usr/bin/env python3
"""Small .npy files written by numpy for maect-core's Npy reader tests.

    /usr/bin/python3 tools/golden/npy_fixtures.py
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "maect-core", "src", "test", "resources", "golden", "npy")
os.makedirs(OUT, exist_ok=True)
m = np.array([[1.5, -2.25, 3.0], [4.0, 5.125, -6.5]])
np.save(os.path.join(OUT, "m_f4.npy"), m.astype("<f4"))
np.save(os.path.join(OUT, "m_f8.npy"), m.astype("<f8"))
np.save(os.path.join(OUT, "m_i8.npy"), np.array([[1, 2], [3, 4]], dtype="<i8"))
np.save(os.path.join(OUT, "v_f4.npy"), np.array([0.5, 1.5, 2.5], dtype="<f4"))
np.save(os.path.join(OUT, "labels_i4.npy"), np.array([3, -1, 7, 0], dtype="<i4"))
np.save(os.path.join(OUT, "labels_i8.npy"), np.array([3, -1, 7, 0], dtype="<i8"))
np.save(os.path.join(OUT, "labels_i8_col.npy"), np.array([[3], [-1], [7], [0]], dtype="<i8"))
np.save(os.path.join(OUT, "big_endian_f4.npy"), m.astype(">f4"))
np.save(os.path.join(OUT, "fortran_f4.npy"), np.asfortranarray(m.astype("<f4")))
np.save(os.path.join(OUT, "u1.npy"), np.array([1, 2, 3], dtype="u1"))
np.save(os.path.join(OUT, "m_f4_v2.npy"), m.astype("<f4"))
# a version-2.0 header
with open(os.path.join(OUT, "m_f4_v2.npy"), "wb") as f:
    np.lib.format.write_array(f, m.astype("<f4"), version=(2, 0))
print("wrote", OUT)
