"""Freeze scikit-learn trustworthiness values for the Go tests.

Run with Debian's Python (apt-get install -y python3-sklearn):
    /usr/bin/python3 plot/quality/testdata/make_reference.py > plot/quality/testdata/reference.json
"""
import json

import numpy as np
from sklearn.manifold import trustworthiness

rng = np.random.RandomState(7)
n, dim = 80, 6
data = rng.normal(size=(n, dim)).astype(np.float32)
# A layout that keeps some structure: the first two coordinates plus noise.
layout = (data[:, :2] + 0.5 * rng.normal(size=(n, 2))).astype(np.float32)

out = {"n": n, "dim": dim,
       "data": [float(v) for v in data.ravel()],
       "layout": [float(v) for v in layout.ravel()],
       "trust": {}}
for metric in ("euclidean", "cosine"):
    for k in (5, 15):
        out["trust"]["%s/%d" % (metric, k)] = float(trustworthiness(data, layout, n_neighbors=k, metric=metric))
print(json.dumps(out))
