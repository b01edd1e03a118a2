# scikit-learn side of bench:fewlabel, on the very vectors the app uses (written by the bench).
# Same protocol, its own random draws: per draw a stratified 30% test set, then N labelled rows per
# class from the rest; macro-F1 on the test set. Prints one JSON object.
#   python3 fewlabel-sklearn.py DIR   (DIR holds x.f32, y.i32, vx.f32, vrow.i32, meta.json)
import json
import os
import sys
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore")
d = sys.argv[1]
meta = json.load(open(os.path.join(d, "meta.json")))
n, dim = meta["n"], meta["dim"]
x = np.fromfile(os.path.join(d, "x.f32"), dtype=np.float32).reshape(n, dim)
y = np.fromfile(os.path.join(d, "y.i32"), dtype=np.int32)
vx = np.fromfile(os.path.join(d, "vx.f32"), dtype=np.float32).reshape(-1, dim)
vrow = np.fromfile(os.path.join(d, "vrow.i32"), dtype=np.int32)
views_of = {}
for v, r in enumerate(vrow):
    views_of.setdefault(int(r), []).append(v)


def model(config):
    lr = LogisticRegression(C=1.0, max_iter=1000)
    return make_pipeline(StandardScaler(), lr) if config.startswith("standardize") else lr


def with_views(rows):
    extra = [v for r in rows for v in views_of.get(int(r), [])]
    return np.concatenate([x[rows], vx[extra]]), np.concatenate([y[rows], y[vrow[extra]]])


configs = ["plain", "plain+views", "standardize", "standardize+views"]
out = {"version": __import__("sklearn").__version__, "curve": {}}
rng = np.random.default_rng(meta["seed"])
for N in meta["labels"]:
    scores = {c: [] for c in configs}
    for r in range(meta["repeats"]):
        pool, test = train_test_split(np.arange(n), test_size=0.3, stratify=y, random_state=int(rng.integers(1 << 30)))
        rows = np.concatenate([rng.permutation(pool[y[pool] == c])[:N] for c in np.unique(y)])
        for c in configs:
            tx, ty = with_views(rows) if c.endswith("+views") else (x[rows], y[rows])
            pred = model(c).fit(tx, ty).predict(x[test])
            scores[c].append(f1_score(y[test], pred, average="macro"))
    out["curve"][str(N)] = {c: float(np.mean(v)) for c, v in scores.items()}
cv = StratifiedKFold(5, shuffle=True, random_state=0)
f1s = []
for tr, te in cv.split(x, y):
    f1s.append(f1_score(y[te], make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000)).fit(x[tr], y[tr]).predict(x[te]), average="macro"))
out["cv5StandardizedLogreg"] = float(np.mean(f1s))
print(json.dumps(out))
