"""lmcore.spark on a real local Spark (local[2]: two executor task slots, each with its own Python
worker process): every row of a 10,000-row DataFrame against single-process translation."""

import json
import os
import pathlib
import sys

import pytest
from pyspark.sql import SparkSession

import lmcore
import lmcore.spark

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = str(ROOT / "models" / "numbers-7lang")


def heldout_sources():
    rows = [line.rstrip("\n").split("\t") for line in open(ROOT / "models/numbers-7lang/eval/heldout.tsv")][1:]
    return [row[2] for row in rows]


@pytest.fixture(scope="module")
def spark():
    # Executors' Python workers run this interpreter (the one with lmcore installed), as
    # spark-submit's PYSPARK_PYTHON does on a cluster.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("lmcore-spark-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "1000")
               .config("spark.executorEnv.LMCORE_LIBRARY", os.environ.get("LMCORE_LIBRARY", ""))
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_translate_10000_rows_equals_single_process(spark):
    sources = heldout_sources()
    rows = [(i, sources[(i * 7919) % len(sources)]) for i in range(10_000)]
    df = spark.createDataFrame(rows, ["id", "source"]).repartition(8)
    out = lmcore.spark.translate(df, "source", model=MODEL).collect()
    assert len(out) == 10_000
    got = {row["id"]: row["translation"] for row in out}
    model = lmcore.Model(MODEL, threads=2)
    unique = sorted(set(s for _, s in rows))
    expected = dict(zip(unique, (h[0].text for h in model.translate(unique))))
    assert all(got[i] == expected[s] for i, s in rows)
    # HF transformers' beam-4 outputs for the held-out split (the model's default search).
    hf = [json.loads(line)["text"] for line in open(ROOT / "models/numbers-7lang/eval/hf_beam4.jsonl")]
    assert dict(zip(sources, hf)) == {s: expected[s] for s in sources}


def test_options_nulls_score_and_embed(spark):
    df = spark.createDataFrame([("4213", "quatre mille deux cent treize"), (None, "x"), ("12", "douze")],
                               ["source", "reference"])
    out = lmcore.spark.translate(df, "source", model=MODEL, target_lang="fr", num_beams=2).collect()
    assert [r["translation"] for r in out] == ["quatre mille deux cent treize", None, "douze"]
    model = lmcore.Model(MODEL)
    filled = df.fillna({"source": "1"})
    scored = lmcore.spark.score(filled, "source", "reference", model=MODEL).collect()
    pairs = filled.collect()
    want = model.score_text([r["source"] for r in pairs], [r["reference"] for r in pairs])
    assert [round(r["score"], 4) for r in scored] == [round(w.total, 4) for w in want]
    embedded = lmcore.spark.embed(df.dropna(), "source", model=MODEL).collect()
    vectors = model.encode_text(["4213", "12"])
    assert all(max(abs(a - b) for a, b in zip(r["embedding"], v)) < 1e-5 for r, v in zip(embedded, vectors))


def test_bad_arguments_fail_on_the_driver(spark):
    df = spark.createDataFrame([("1",)], ["source"])
    with pytest.raises(ValueError, match="column 'text' is not in the DataFrame"):
        lmcore.spark.translate(df, "text", model=MODEL)
    with pytest.raises(ValueError, match="already in the DataFrame"):
        lmcore.spark.translate(df, "source", model=MODEL, output_column="source")
    with pytest.raises(ValueError):
        lmcore.spark.translate(df, "source", model=MODEL, top_p=2.0)
    with pytest.raises(TypeError):
        lmcore.spark.translate(df, "source", model=MODEL, colour="red")


def test_model_loaded_once_per_executor_process(spark):
    df = spark.createDataFrame([(i,) for i in range(64)], ["n"]).repartition(8)

    def probe(frames):
        import pandas as pd
        for _ in frames:
            model = lmcore.spark.executor_model(MODEL)
            yield pd.DataFrame({"pid": [os.getpid()], "model": [id(model)]})

    seen = df.mapInPandas(probe, "pid long, model long").distinct().collect()
    # 8 tasks on 2 slots: Spark reuses its Python workers, and each holds one model.
    assert len(seen) == len({row["pid"] for row in seen}) <= 2
