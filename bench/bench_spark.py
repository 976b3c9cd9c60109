"""lmcore.spark throughput: rows/s with 1 and 2 executor task slots (local[1], local[2]), against
the same translation in one process (lmcore.Model.translate, 1 and 2 threads).

    swift build -c release && .venv-test/bin/python bench/bench_spark.py [--rows 20000] [--reps 3]

Rows are held-out inputs of the bundled model (1-7 digits, seven languages), beam 4 (its default),
in 8 partitions. Each repetition runs every configuration once, in turn (interleaved); each Spark
run is on a fresh SparkSession, warmed by a small job first (workers started, model loaded), and
forced with the `noop` sink. Prints the median rows/s per configuration and the CPU flags.
"""
import argparse
import os
import re
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("LMCORE_LIBRARY", os.path.join(ROOT, ".build", "release", "liblmcore.so"))
os.environ["PYSPARK_PYTHON"] = sys.executable
import lmcore  # noqa: E402
import lmcore.spark  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

MODEL = os.path.join(ROOT, "models", "numbers-7lang")


def cpu_flags():
    text = open("/proc/cpuinfo").read()
    return " ".join(sorted(set(re.findall(r"avx512[a-z_0-9]*|avx2|fma|amx[a-z_]*", text))))


def spark_run(master, rows):
    spark = (SparkSession.builder.master(master).appName("lmcore-bench").config("spark.ui.enabled", "false")
             .config("spark.executorEnv.LMCORE_LIBRARY", os.environ["LMCORE_LIBRARY"]).getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        slots = int(master[6:-1])
        warm = spark.createDataFrame(rows[:64], ["id", "source"]).repartition(slots)
        lmcore.spark.translate(warm, "source", model=MODEL).write.format("noop").mode("overwrite").save()
        df = spark.createDataFrame(rows, ["id", "source"]).repartition(8).cache()
        df.count()
        start = time.perf_counter()
        lmcore.spark.translate(df, "source", model=MODEL).write.format("noop").mode("overwrite").save()
        return len(rows) / (time.perf_counter() - start)
    finally:
        spark.stop()


def local_run(threads, texts):
    model = lmcore.Model(MODEL, threads=threads)
    model.translate(texts[:64])
    start = time.perf_counter()
    for i in range(0, len(texts), 64):
        model.translate(texts[i:i + 64])
    return len(texts) / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    sources = [line.split("\t")[2] for line in open(os.path.join(MODEL, "eval", "heldout.tsv")).read().splitlines()[1:]]
    rows = [(i, sources[(i * 7919) % len(sources)]) for i in range(args.rows)]
    texts = [s for _, s in rows]
    configs = {
        "spark local[1]": lambda: spark_run("local[1]", rows),
        "spark local[2]": lambda: spark_run("local[2]", rows),
        "one process, 1 thread": lambda: local_run(1, texts),
        "one process, 2 threads": lambda: local_run(2, texts),
    }
    results = {name: [] for name in configs}
    for rep in range(args.reps):
        for name, run in configs.items():
            results[name].append(run())
            print(f"rep {rep}: {name}: {results[name][-1]:.0f} rows/s", file=sys.stderr, flush=True)
    print(f"CPU flags: {cpu_flags()}; {os.cpu_count()} cores; {args.rows} rows, beam 4, {args.reps} reps")
    print(f"{'configuration':<24} {'rows/s (median)':>16}")
    for name, values in results.items():
        print(f"{name:<24} {statistics.median(values):>16.0f}")
    one, two = statistics.median(results["spark local[1]"]), statistics.median(results["spark local[2]"])
    print(f"local[2] / local[1]: {two / one:.2f}x")


if __name__ == "__main__":
    main()
