#!/usr/bin/env python3
"""Golden values for maect-eval, computed with scikit-learn / scipy / numpy.

Run from the repo root (needs python3-sklearn, python3-scipy; Debian: /usr/bin/python3):
    /usr/bin/python3 tools/golden/eval_fixtures.py
Writes maect-eval/src/test/resources/golden/*.json; the Java tests read them (no Python at test time).
"""
import json
import os

import numpy as np
import scipy
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn import metrics
from sklearn.linear_model import LogisticRegression

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "maect-eval", "src", "test", "resources", "golden")
os.makedirs(OUT, exist_ok=True)
VERSIONS = {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__}


def cluster_acc(y, c):
    cm = metrics.cluster.contingency_matrix(y, c)
    r, k = linear_sum_assignment(-cm)
    return cm[r, k].sum() / len(y)


def cluster_case(name, y, c):
    y = np.asarray(y, dtype=np.int64)
    c = np.asarray(c, dtype=np.int64)
    return {
        "name": name,
        "labels": y.tolist(),
        "clusters": c.tolist(),
        "cluster_acc": float(cluster_acc(y, c)),
        "nmi": float(metrics.normalized_mutual_info_score(y, c)),
        "ami": float(metrics.adjusted_mutual_info_score(y, c)),
        "ari": float(metrics.adjusted_rand_score(y, c)),
    }


def write(name, obj):
    obj = dict(obj)
    obj["versions"] = VERSIONS
    obj["generator"] = "tools/golden/eval_fixtures.py"
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(obj, f)
    print("wrote", name)


def cluster_metric_cases():
    rng = np.random.default_rng(0)
    cases = []
    # non-square contingency (5 classes x 7 clusters), labels not 0..C-1
    y = rng.choice([-3, 2, 10, 11, 100], size=200)
    c = np.where(rng.random(200) < 0.6, np.searchsorted([-3, 2, 10, 11, 100], y), rng.integers(0, 7, 200))
    cases.append(cluster_case("nonsquare_5x7_negative_labels", y, c))
    # more classes than clusters
    y = rng.integers(0, 9, 300)
    c = (y // 3 + (rng.random(300) < 0.2)) % 4
    cases.append(cluster_case("more_classes_than_clusters_9x4", y, c))
    # single cluster
    y = rng.integers(0, 4, 50)
    cases.append(cluster_case("single_cluster", y, np.zeros(50, dtype=int)))
    # single class, several clusters
    cases.append(cluster_case("single_class", np.full(40, 7), rng.integers(0, 3, 40)))
    # both single
    cases.append(cluster_case("single_class_single_cluster", np.full(10, 1), np.full(10, 5)))
    # empty clusters: ids with gaps (clusters 0, 4, 9 of 10 used)
    y = rng.integers(0, 3, 90)
    c = np.array([0, 4, 9])[(y + (rng.random(90) < 0.3)) % 3]
    cases.append(cluster_case("empty_clusters_gaps", y, c))
    # ties: symmetric table, several optimal matchings
    y = np.repeat([0, 1, 2, 3], 10)
    c = np.tile(np.repeat([0, 1], 5), 4)
    cases.append(cluster_case("ties_symmetric", y, c))
    # perfect agreement under relabelling
    y = rng.integers(0, 6, 120)
    cases.append(cluster_case("perfect_relabelled", y, (y * 7 + 3) % 11))
    # every sample its own cluster
    y = rng.integers(0, 3, 30)
    cases.append(cluster_case("all_singletons", y, np.arange(30)))
    # two points
    cases.append(cluster_case("two_points", [0, 1], [1, 1]))
    # medium: 5000 points, 50 classes x 60 clusters, noisy
    y = rng.integers(0, 50, 5000)
    c = np.where(rng.random(5000) < 0.5, y, rng.integers(0, 60, 5000))
    cases.append(cluster_case("medium_50x60", y, c))
    # large: 20000 points, 200 classes x 250 clusters
    y = rng.integers(0, 200, 20000)
    c = np.where(rng.random(20000) < 0.3, y, rng.integers(0, 250, 20000))
    cases.append(cluster_case("large_200x250", y, c))
    # unbalanced: one giant class
    y = np.concatenate([np.zeros(900, int), rng.integers(1, 5, 100)])
    c = np.concatenate([rng.integers(0, 2, 900), rng.integers(0, 5, 100)])
    cases.append(cluster_case("unbalanced", y, c))
    # wide hypergeometric supports: 20000 points, 2 classes x 3 clusters
    y = rng.integers(0, 2, 20000)
    c = np.where(rng.random(20000) < 0.1, y, rng.integers(0, 3, 20000))
    cases.append(cluster_case("wide_2x3_20000", y, c))
    write("cluster_metrics.json", {"cases": cases})


def assignment_cases():
    rng = np.random.default_rng(1)
    cases = []
    for (r, c, hi) in [(1, 1, 5), (3, 3, 10), (4, 7, 3), (7, 4, 3), (30, 30, 2), (50, 80, 100), (80, 50, 1000), (100, 100, 1)]:
        cost = rng.integers(-hi, hi + 1, size=(r, c)).astype(float)
        ri, ci = linear_sum_assignment(cost)
        cases.append({"rows": r, "cols": c, "cost": cost.ravel().tolist(), "min_total": float(cost[ri, ci].sum())})
    cost = rng.random((60, 45))
    ri, ci = linear_sum_assignment(cost)
    cases.append({"rows": 60, "cols": 45, "cost": cost.ravel().tolist(), "min_total": float(cost[ri, ci].sum())})
    write("linear_assignment.json", {"cases": cases})


def silhouette_cases():
    rng = np.random.default_rng(2)
    cases = []
    for name, n, d, k, singleton in [("blobs_60x5_k4", 60, 5, 4, False), ("blobs_200x16_k7_singleton", 200, 16, 7, True)]:
        centers = rng.normal(0, 3, (k, d))
        lab = rng.integers(0, k, n)
        if singleton:
            lab[0] = k  # a cluster of one sample
        x = (centers[np.minimum(lab, k - 1)] + rng.normal(0, 1, (n, d))).astype(np.float32)
        xd = x.astype(np.float64)
        labels = lab * 3 - 5  # not 0..K-1
        cases.append({
            "name": name, "x": x.tolist(), "labels": labels.tolist(),
            "cosine": float(metrics.silhouette_score(xd, labels, metric="cosine")),
            "euclidean": float(metrics.silhouette_score(xd, labels, metric="euclidean")),
        })
    write("silhouette.json", {"cases": cases})


def knn_dino(train_x, train_y, test_x, test_y, ks, T, num_classes):
    """DINO eval_knn.py weighted k-NN in numpy float32 (same ops, ties resolved by lowest index)."""
    tr = train_x / np.linalg.norm(train_x, axis=1, keepdims=True)
    te = test_x / np.linalg.norm(test_x, axis=1, keepdims=True)
    sim = te @ tr.T
    order = np.argsort(-sim, axis=1, kind="stable")
    out = {}
    for k in ks:
        idx = order[:, :k]
        d = np.take_along_axis(sim, idx, axis=1).astype(np.float64)
        w = np.exp(d / T)
        probs = np.zeros((len(te), num_classes))
        for i in range(len(te)):
            np.add.at(probs[i], train_y[idx[i]], w[i])
        pred = probs.argmax(axis=1)
        out[str(k)] = float((pred == test_y).mean())
    return out


def knn_cases():
    rng = np.random.default_rng(3)
    C, d = 6, 24
    centers = rng.normal(0, 1, (C, d))
    ytr = rng.integers(0, C, 800)
    yte = rng.integers(0, C, 300)
    xtr = (centers[ytr] + rng.normal(0, 1.2, (800, d))).astype(np.float32)
    xte = (centers[yte] + rng.normal(0, 1.2, (300, d))).astype(np.float32)
    ks = [1, 5, 10, 20, 50]
    acc = knn_dino(xtr, ytr, xte, yte, ks, 0.07, C)
    # reference for the linear probe on the same data: a well-regularised linear classifier
    lr = LogisticRegression(C=1.0, max_iter=10000).fit(xtr.astype(np.float64), ytr)
    write("knn.json", {"train_x": xtr.tolist(), "train_y": ytr.tolist(), "test_x": xte.tolist(),
                       "test_y": yte.tolist(), "ks": ks, "T": 0.07, "accuracy": acc,
                       "logreg_acc": float(lr.score(xte.astype(np.float64), yte))})


def logreg_cases():
    """Multinomial L2 logistic regression, no intercept: objective (1/n) sum CE + (lam/2)|W|^2.

    sklearn minimises C * sum CE + 0.5 |W|^2, the same minimiser for C = 1 / (lam * n).
    """
    rng = np.random.default_rng(4)
    C, d, n = 5, 12, 60
    centers = rng.normal(0, 1, (C, d))
    y = np.repeat(np.arange(C), n // C)
    x = (centers[y] + rng.normal(0, 1.0, (n, d))).astype(np.float32)
    xt = (centers[np.arange(C).repeat(20)] + rng.normal(0, 1.0, (C * 20, d))).astype(np.float32)
    yt = np.arange(C).repeat(20)
    out = {"x": x.tolist(), "y": y.tolist(), "test_x": xt.tolist(), "test_y": yt.tolist(), "fits": []}
    for lam in [0.00025 / n, 0.1, 1.0]:
        clf = LogisticRegression(C=1.0 / (lam * n), fit_intercept=False, multi_class="multinomial",
                                 tol=1e-12, max_iter=100000)
        clf.fit(x.astype(np.float64), y)
        W = clf.coef_
        z = x.astype(np.float64) @ W.T
        z -= z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(z).sum(axis=1))
        ce = -(z[np.arange(n), y] - lse).mean()
        obj = ce + 0.5 * lam * (W ** 2).sum()
        out["fits"].append({"lambda": lam, "W": W.tolist(), "objective": float(obj),
                            "test_acc": float((clf.predict(xt.astype(np.float64)) == yt).mean())})
    write("logreg.json", out)


def kmeans_cases():
    from sklearn.cluster import KMeans
    rng = np.random.default_rng(5)
    k, d, n = 8, 10, 800
    centers = rng.normal(0, 10, (k, d))
    lab = rng.integers(0, k, n)
    x = (centers[lab] + rng.normal(0, 0.5, (n, d))).astype(np.float32)
    km = KMeans(n_clusters=k, n_init=20, random_state=0).fit(x.astype(np.float64))
    write("kmeans.json", {"x": x.tolist(), "labels": lab.tolist(), "k": k,
                          "sklearn_kmeans_inertia": float(km.inertia_),
                          "sklearn_cluster_acc": float(cluster_acc(lab, km.labels_))})


if __name__ == "__main__":
    cluster_metric_cases()
    assignment_cases()
    silhouette_cases()
    knn_cases()
    logreg_cases()
    kmeans_cases()
