#!/usr/bin/env python3
"""scikit-learn/scipy side of `./maect bench-eval`: times the same operations on the inputs the Java
side wrote (as .npy) and prints one JSON object {case: seconds, ...} on the last line of stdout.

    python3 tools/bench/bench_eval_sklearn.py DIR case[,case...]

Cases: hungarian, hungarian_random, ami, kmeans, knn. Needs numpy, scipy, scikit-learn.
"""
import json
import os
import sys
import time
import warnings

import numpy as np


def best_of(fn, reps):
    best, out = float("inf"), None
    for _ in range(reps):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main():
    d, cases = sys.argv[1], sys.argv[2].split(",")
    res = {}
    if "hungarian" in cases:
        from scipy.optimize import linear_sum_assignment
        from sklearn.metrics.cluster import contingency_matrix
        y = np.load(os.path.join(d, "hung_y.npy"))
        c = np.load(os.path.join(d, "hung_c.npy"))

        def run():
            cm = contingency_matrix(y, c)
            r, k = linear_sum_assignment(-cm)
            return cm[r, k].sum() / len(y)
        res["hungarian"], acc = best_of(run, 15)
        res["hungarian_value"] = float(acc)
    if "hungarian_random" in cases:
        from scipy.optimize import linear_sum_assignment
        cost = np.load(os.path.join(d, "hung_cost.npy")).astype(np.float64)

        def run():
            r, k = linear_sum_assignment(cost)
            return cost[r, k].sum()
        res["hungarian_random"], tot = best_of(run, 15)
        res["hungarian_random_value"] = float(tot)
    if "ami" in cases:
        from sklearn.metrics import adjusted_mutual_info_score
        y = np.load(os.path.join(d, "hung_y.npy"))
        c = np.load(os.path.join(d, "hung_c.npy"))
        res["ami"], v = best_of(lambda: adjusted_mutual_info_score(y, c), 1)
        res["ami_value"] = float(v)
    if "kmeans" in cases:
        from sklearn.cluster import MiniBatchKMeans
        from sklearn.preprocessing import StandardScaler
        x = np.load(os.path.join(d, "km_x.npy"))
        k = int(np.load(os.path.join(d, "km_k.npy"))[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = time.perf_counter()
            xs = StandardScaler().fit_transform(x).astype(np.float32)
            km = MiniBatchKMeans(n_clusters=k, n_init=1, batch_size=1024, random_state=0).fit(xs)
            res["kmeans"] = time.perf_counter() - t
        res["kmeans_steps"] = int(km.n_steps_)
        res["kmeans_inertia"] = float(km.inertia_)
    if "knn" in cases:
        from sklearn.neighbors import KNeighborsClassifier
        xtr = np.load(os.path.join(d, "knn_xtr.npy"))
        ytr = np.load(os.path.join(d, "knn_ytr.npy"))
        xte = np.load(os.path.join(d, "knn_xte.npy"))
        yte = np.load(os.path.join(d, "knn_yte.npy"))
        k = int(np.load(os.path.join(d, "knn_k.npy"))[0])

        def run():
            clf = KNeighborsClassifier(n_neighbors=k, metric="cosine", algorithm="brute",
                                       weights=lambda dist: np.exp((1.0 - dist) / 0.07))
            clf.fit(xtr, ytr)
            return (clf.predict(xte) == yte).mean()
        res["knn"], acc = best_of(run, 1)
        res["knn_value"] = float(acc)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
