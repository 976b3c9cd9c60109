"""lmcore on Apache Spark: translate, score or embed a DataFrame column with `mapInPandas`, the
model loaded once per executor Python process and reused by every task that process runs.

    from pyspark.sql import SparkSession
    import lmcore.spark

    spark = SparkSession.builder.getOrCreate()
    df = spark.read.text("corpus.txt").withColumnRenamed("value", "source")
    out = lmcore.spark.translate(df, "source", model="/models/opus-mt-en-de", num_beams=4)
    out.write.parquet("translated.parquet")

`model` is a folder every executor can read (shared storage, or shipped with `spark-submit
--archives` / `SparkContext.addFile` and named by its local path). Options are those of
`lmcore.Model.translate` (transformers' names: num_beams, max_new_tokens, target_lang, ...).
Rows keep their order within each partition; a null text gives a null result.

Each executor process runs `threads` lmcore threads (default: `spark.task.cpus`, normally 1), so
that Spark's task slots, not lmcore, decide how many cores a machine uses. Needs pyspark with
pandas and pyarrow (Spark's own requirements for mapInPandas); lmcore itself imports none of them.
"""

import os
import threading
from typing import Any, Dict, Iterator, Optional, Tuple

import lmcore

__all__ = ["translate", "score", "embed", "executor_model"]

_models: Dict[Tuple[str, int, str], "lmcore.Model"] = {}
_models_lock = threading.Lock()


def executor_model(path: str, threads: int = 1, compute_type: str = "float32") -> "lmcore.Model":
    """The model for this Python process, loaded on first use and kept (Spark reuses its Python
    workers across tasks, so a model is loaded once per executor process, not once per task)."""
    key = (os.path.abspath(path), threads, compute_type)
    with _models_lock:
        model = _models.get(key)
        if model is None:
            model = lmcore.Model(path, threads=threads, compute_type=compute_type)  # type: ignore[arg-type]
            _models[key] = model
        return model


def _task_threads(df: Any, threads: Optional[int]) -> int:
    if threads is not None:
        if not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads must be a positive int, got {threads!r}")
        return threads
    try:
        return max(1, int(df.sparkSession.conf.get("spark.task.cpus", "1")))
    except Exception:  # noqa: BLE001 - a session without the setting runs one thread
        return 1


def _schema_with(df: Any, column: str, spark_type: Any) -> Any:
    from pyspark.sql.types import StructField, StructType
    if column in df.columns:
        raise ValueError(f"output column {column!r} is already in the DataFrame")
    return StructType(df.schema.fields + [StructField(column, spark_type, True)])


def _require(df: Any, *columns: str) -> None:
    for c in columns:
        if c not in df.columns:
            raise ValueError(f"column {c!r} is not in the DataFrame (it has {', '.join(df.columns)})")


def _map_texts(frames: Iterator[Any], columns, output: str, model_args, batch_size: int, compute) -> Iterator[Any]:
    model = executor_model(*model_args)
    for frame in frames:
        values = [frame[c].tolist() for c in columns]
        results: list = [None] * len(frame)
        rows = [i for i in range(len(frame)) if all(isinstance(v[i], str) for v in values)]
        for start in range(0, len(rows), batch_size):
            chunk = rows[start:start + batch_size]
            for i, r in zip(chunk, compute(model, [[v[i] for i in chunk] for v in values])):
                results[i] = r
        frame = frame.copy()
        frame[output] = results
        yield frame


def translate(df: Any, column: str, model: str, output_column: str = "translation", *,
              threads: Optional[int] = None, compute_type: str = "float32", batch_size: int = 64,
              **options: Any) -> Any:
    """`df` with `output_column` (string): the best translation of each `column` text, as
    `lmcore.Model(model).translate(texts, **options)[i][0].text` gives it."""
    from pyspark.sql.types import StringType
    _require(df, column)
    schema = _schema_with(df, output_column, StringType())
    model_args = (model, _task_threads(df, threads), compute_type)
    if "callback" in options:
        raise ValueError("callback cannot be used with Spark: translations are computed on the executors")
    lmcore._generation_params(**options)  # a bad option fails here, not in every task

    def compute(m, columns):
        return [hyps[0].text for hyps in m.translate(columns[0], **options)]

    return df.mapInPandas(lambda frames: _map_texts(frames, [column], output_column, model_args, batch_size, compute),
                          schema)


def score(df: Any, source_column: str, target_column: str, model: str, output_column: str = "score", *,
          threads: Optional[int] = None, compute_type: str = "float32", batch_size: int = 64) -> Any:
    """`df` with `output_column` (double): log p(target | source), `Model.score_text`'s total."""
    from pyspark.sql.types import DoubleType
    _require(df, source_column, target_column)
    schema = _schema_with(df, output_column, DoubleType())
    model_args = (model, _task_threads(df, threads), compute_type)

    def compute(m, columns):
        return [float(s.total) for s in m.score_text(columns[0], columns[1])]

    return df.mapInPandas(lambda frames: _map_texts(frames, [source_column, target_column], output_column, model_args,
                                                    batch_size, compute), schema)


def embed(df: Any, column: str, model: str, output_column: str = "embedding", *,
          threads: Optional[int] = None, compute_type: str = "float32", batch_size: int = 64) -> Any:
    """`df` with `output_column` (array<float>): the mean-pooled encoder states, `Model.encode_text`."""
    from pyspark.sql.types import ArrayType, FloatType
    _require(df, column)
    schema = _schema_with(df, output_column, ArrayType(FloatType()))
    model_args = (model, _task_threads(df, threads), compute_type)

    def compute(m, columns):
        return [[float(x) for x in row] for row in m.encode_text(columns[0])]

    return df.mapInPandas(lambda frames: _map_texts(frames, [column], output_column, model_args, batch_size, compute),
                          schema)
