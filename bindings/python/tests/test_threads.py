"""Many Python threads sharing one Model (and one Tokenizer), as a web app or a thread pool uses
the binding: ctypes releases the GIL for every lmcore call, so these calls really run at once
inside liblmcore.so. Every result must equal the same call made alone. scripts/sanitize.sh runs
this file under ThreadSanitizer against a TSan liblmcore.so (LMCORE_THREADS_ROUNDS sets the
rounds; the default keeps the normal test run to a few seconds)."""
import os
import threading
from pathlib import Path

import lmcore
import lmcore.metrics

MODEL = Path(__file__).resolve().parents[3] / "models" / "numbers-7lang"
ROUNDS = int(os.environ.get("LMCORE_THREADS_ROUNDS", "3"))
THREADS = 8


def run_in_threads(work):
    """work(thread_index) in THREADS threads at once; returns their results, re-raises the first error."""
    results = [None] * THREADS
    errors = []
    start = threading.Barrier(THREADS)

    def body(i):
        try:
            start.wait()
            results[i] = work(i)
        except BaseException as e:  # noqa: BLE001  (reported below, in the test's thread)
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_threads_share_one_model_and_get_serial_results():
    samples = (MODEL / "samples.txt").read_text(encoding="utf-8").splitlines()
    with lmcore.Model(MODEL, threads=2) as model:
        tokenizer = model.tokenizer
        # What each thread does, alone first: the expected results.
        def work(i):
            texts = [samples[(i + k) % len(samples)] for k in range(3)]
            out = []
            for _ in range(ROUNDS):
                beams = [h[0].text for h in model.translate(texts, beam_size=4)]
                greedy = [h[0].ids for h in model.translate(texts[:1], beam_size=1, max_new_tokens=12)]
                ids = [tokenizer.encode(t) for t in texts]
                decoded = [tokenizer.decode(x, skip_special_tokens=True) for x in ids]
                scores = [round(s.total, 4) for s in model.score_text(texts, beams)]
                pooled = model.encode_text(texts[:1]).tolist()
                streamed = "".join(model.stream(texts[0], beam_size=1))
                bleu = round(lmcore.metrics.bleu(beams, [texts]).score, 6)
                out.append((beams, greedy, ids, decoded, scores, [round(v, 4) for v in pooled[0]], streamed, bleu))
            return out

        serial = [work(i) for i in range(THREADS)]
        concurrent = run_in_threads(work)
        for i in range(THREADS):
            assert concurrent[i] == serial[i], f"thread {i} got a different result than the same calls alone"


def test_each_thread_its_own_model():
    """Loading, using and freeing models on many threads at once (no shared state between handles)."""
    def work(i):
        with lmcore.Model(MODEL, threads=1) as m:
            return m.translate([">>fr<< 42", ">>de<< 7"], beam_size=2)[0][0].text

    alone = work(0)
    assert run_in_threads(work) == [alone] * THREADS
