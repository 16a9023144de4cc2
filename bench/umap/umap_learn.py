"""Run umap-learn on a raw little-endian float32 matrix for bench/umap.

usage: umap_learn.py DATA.f32 DIM OUT.f32 N_NEIGHBORS MIN_DIST N_EPOCHS INIT

Prints "fit_seconds T": the time of fit_transform on the data, after a
small warm-up fit so that numba compilation is not counted. No random_state
is set, so umap-learn uses its parallel (multi-threaded) SGD.
"""
import sys
import time
import warnings

warnings.filterwarnings("ignore")  # numba deprecation chatter

import numpy as np  # noqa: E402
import umap  # noqa: E402


def main():
    data_path, dim, out_path, n_neighbors, min_dist, n_epochs, init = sys.argv[1:8]
    dim, n_neighbors, n_epochs = int(dim), int(n_neighbors), int(n_epochs)
    min_dist = float(min_dist)
    data = np.fromfile(data_path, dtype="<f4").reshape(-1, dim)

    params = dict(n_neighbors=n_neighbors, min_dist=min_dist, n_epochs=n_epochs, init=init)
    warm = data[: min(len(data), 2000)]
    umap.UMAP(**params).fit_transform(warm)

    start = time.perf_counter()
    layout = umap.UMAP(**params).fit_transform(data)
    seconds = time.perf_counter() - start

    layout.astype("<f4").tofile(out_path)
    print("fit_seconds %.3f" % seconds, flush=True)


if __name__ == "__main__":
    main()
