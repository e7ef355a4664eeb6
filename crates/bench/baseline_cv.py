#!/usr/bin/env python3
"""The published baseline (TF-IDF word 1-2 grams, sublinear tf, LinearSVC C=1) scored
by 3-fold cross-validation on each train split, with the folds Triage's own
cross-validation uses (row i in fold i % 3), so `classify_eval`'s "defaults" figure
has a like-for-like partner. The test splits are small (78-734 rows); the train
splits give three times as many held-out predictions per target.

    python3 crates/bench/baseline_cv.py [DATA_DIR] [--test-predictions OUT_DIR]
                                                         (needs pandas, scikit-learn)

With --test-predictions it also trains the baseline on each whole train split and
writes its label for every test row, in file order, to OUT_DIR/<dataset>.<target slug>.txt
(one label a line): `classify_eval` reads them (CLASSIFY_BASELINE=OUT_DIR) to compare
the two models row by row on the same test tickets (paired bootstrap).
"""
import os
import re
import sys

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import PredefinedSplit, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

args = sys.argv[1:]
OUT = None
if "--test-predictions" in args:
    i = args.index("--test-predictions")
    OUT = args[i + 1]
    del args[i : i + 2]
DATA = args[0] if args else "../shared/data"


def endava(df):
    return (df["title"].fillna("") + "\n" + df["body"].fillna("")).str.strip()


def synthetic(df):
    return (df["subject"].fillna("") + "\n" + df["body"].fillna("")).str.strip()


TARGETS = [
    ("endava_tickets", "ticket_type", "ticket_type", endava, None),
    ("endava_tickets", "category", "category", endava, None),
    ("endava_tickets", "urgency", "urgency", endava, None),
    ("endava_tickets", "impact", "impact", endava, None),
    ("endava_tickets", "urgency (incidents)", "urgency", endava, lambda d: d[d["ticket_type"] == 0]),
    ("banking77", "intent", "intent", lambda d: d["text"].fillna(""), None),
    ("synthetic_support_tickets", "priority", "priority", synthetic, None),
    ("synthetic_support_tickets", "queue", "queue", synthetic, None),
    ("synthetic_support_tickets", "type", "type", synthetic, None),
]

for dataset, name, label, text, only in TARGETS:
    df = pd.read_csv(f"{DATA}/{dataset}/train.csv")
    if only is not None:
        df = only(df)
    df = df.reset_index(drop=True)
    folds = PredefinedSplit(np.arange(len(df)) % 3)
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LinearSVC(C=1))
    scores = cross_validate(model, text(df), df[label], cv=folds, scoring=("f1_macro", "accuracy"))
    f1, acc = scores["test_f1_macro"].mean(), scores["test_accuracy"].mean()
    print(f"{dataset} {name}: 3-fold macro-F1 {f1:.3f}, accuracy {acc:.3f}")
    if OUT is not None:
        test = pd.read_csv(f"{DATA}/{dataset}/test.csv")
        if only is not None:
            test = only(test)
        model.fit(text(df), df[label].astype(str))
        predicted = model.predict(text(test))
        os.makedirs(OUT, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", name).strip("-")
        with open(f"{OUT}/{dataset}.{slug}.txt", "w", encoding="utf-8") as f:
            f.writelines(f"{p}\n" for p in predicted)
