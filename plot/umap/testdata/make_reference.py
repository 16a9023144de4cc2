"""Freeze umap-learn 0.5.3 reference values for the Go tests.

Run with Debian's Python (apt-get install -y umap-learn):
    /usr/bin/python3 plot/umap/testdata/make_reference.py > plot/umap/testdata/reference.json

For a fixed small random input it records the exact 6-nearest neighbours
(self first, euclidean), smooth_knn_dist's sigmas and rhos, the fuzzy
simplicial set (fuzzy union), and the categorical label intersection that
supervised UMAP applies (target_weight 0.5, i.e. far_dist 5).
"""
import json

import numpy as np
from sklearn.metrics import pairwise_distances
from umap.umap_ import (
    discrete_metric_simplicial_set_intersection,
    fuzzy_simplicial_set,
    smooth_knn_dist,
)

rng = np.random.RandomState(20261129)
n, dim, k = 40, 5, 6
data = rng.normal(size=(n, dim)).astype(np.float32)
data[10:20] += 3.0  # a second, denser group
labels = np.array([i % 3 for i in range(n)], dtype=np.int64)
labels[::7] = -1

dmat = pairwise_distances(data, metric="euclidean")
knn_indices = np.argsort(dmat, axis=1)[:, :k]
knn_dists = np.take_along_axis(dmat, knn_indices, axis=1).astype(np.float32)

sigmas, rhos = smooth_knn_dist(knn_dists, float(k))
graph, _, _ = fuzzy_simplicial_set(
    data, k, np.random.RandomState(0), "euclidean",
    knn_indices=knn_indices, knn_dists=knn_dists,
)
graph = graph.tocoo()
# The intersection modifies a COO matrix in place, so give it a copy.
supervised = discrete_metric_simplicial_set_intersection(graph.copy(), labels, far_dist=2.5 / (1 - 0.5)).tocoo()


def coo(m):
    m = m.tocsr().tocoo()
    return {"rows": m.row.tolist(), "cols": m.col.tolist(), "vals": [float(v) for v in m.data]}


print(json.dumps({
    "n": n, "dim": dim, "k": k,
    "data": [float(v) for v in data.ravel()],
    "labels": labels.tolist(),
    "knn_indices": knn_indices.ravel().tolist(),
    "knn_dists": [float(v) for v in knn_dists.ravel()],
    "sigmas": [float(v) for v in sigmas],
    "rhos": [float(v) for v in rhos],
    "graph": coo(graph),
    "supervised": coo(supervised),
}, indent=None))
