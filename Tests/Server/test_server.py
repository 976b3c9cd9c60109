"""lmcore-cli serve against real clients on loopback: libretranslatepy (LibreTranslate's Python
client from PyPI) and http.client. Expected translations are HF transformers' outputs for the
bundled model (models/numbers-7lang/eval), and the native API is checked against the Python
binding on the same model."""

import concurrent.futures
import json
import math
import os
import signal
import socket
import threading
import time
import urllib.error

import pytest
from libretranslatepy import LibreTranslateAPI

import lmcore
from server import MODEL, Server, heldout

HELDOUT = heldout()


@pytest.fixture(scope="module")
def server():
    with Server() as s:
        yield s


@pytest.fixture(scope="module")
def model():
    return lmcore.Model(str(MODEL))


def sample(n, step=37):
    return [HELDOUT[(i * step) % len(HELDOUT)] for i in range(n)]


def split_tag(source):
    tag, text = source.split(" ", 1)
    return tag[2:-2], text


# --- LibreTranslate API, through its own client ---------------------------------------------

def test_libretranslatepy_translates_like_transformers(server):
    client = LibreTranslateAPI(server.url)
    for source, expected in sample(40):
        target, digits = split_tag(source)
        assert client.translate(digits, source="en", target=target) == expected, source


def test_libretranslatepy_languages(server):
    languages = LibreTranslateAPI(server.url).languages()
    codes = {entry["code"]: entry for entry in languages}
    assert set(codes) == {"de", "en", "es", "fr", "it", "nl", "pt"}
    assert codes["de"]["name"] == "German"
    assert sorted(codes["en"]["targets"]) == ["de", "en", "es", "fr", "it", "nl", "pt"]


def test_libretranslate_json_list_alternatives_and_auto(server, model):
    status, _, answer = server.post_json("/translate", {"q": ["45", "1984"], "source": "auto", "target": "de",
                                                        "format": "text", "alternatives": 2})
    assert status == 200
    # n best from beam search (the model's beams, at least alternatives + 1), as the Python binding gives them.
    beams = max(3, json.load(open(MODEL / "generation_config.json")).get("num_beams", 1))
    expected = model.translate([">>de<< 45", ">>de<< 1984"], num_beams=beams, num_return_sequences=3)
    assert answer["translatedText"] == [e[0].text for e in expected]
    assert answer["alternatives"] == [[h.text for h in e[1:]] for e in expected]
    # Without --source-lang the server cannot know the source: no detectedLanguage is invented.
    assert "detectedLanguage" not in answer


def test_libretranslate_errors_have_its_shape(server):
    cases = [
        ({"source": "en", "target": "de"}, "Invalid request: missing q parameter"),
        ({"q": "", "source": "en", "target": "de"}, "Invalid request: missing q parameter"),
        ({"q": "4", "target": "de"}, "Invalid request: missing source parameter"),
        ({"q": "4", "source": "en"}, "Invalid request: missing target parameter"),
        ({"q": "4", "source": "en", "target": "xx"}, "xx is not supported"),
        ({"q": "4", "source": "en", "target": "de", "format": "pdf"}, "pdf format is not supported"),
        ({"q": 4, "source": "en", "target": "de"}, "Invalid request: q must be a string or a list of strings, got a number"),
        ({"q": ["4", 5], "source": "en", "target": "de"}, "Invalid request: q[1] must be a string, got a number"),
        ({"q": "4", "source": "en", "target": "de", "alternatives": "2"}, "Invalid request: alternatives must be an integer, got a string"),
        ({"q": "4", "source": "en", "target": "de", "colour": "red"}, 'Invalid request: unknown field "colour"'),
        ({"q": ["4"] * 129, "source": "en", "target": "de"}, "Invalid request: request (129) exceeds batch limit (128)"),
    ]
    for body, message in cases:
        status, headers, answer = server.post_json("/translate", body)
        assert (status, answer) == (400, {"error": message}), body
        assert headers["Content-Type"] == "application/json"


def test_libretranslatepy_sees_an_http_error(server):
    with pytest.raises(urllib.error.HTTPError) as info:
        LibreTranslateAPI(server.url).translate("4", source="en", target="xx")
    assert info.value.code == 400
    assert json.loads(info.value.read()) == {"error": "xx is not supported"}


def test_form_body_edge_cases(server):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, body = server.request("POST", "/translate", b"q=4%2&source=en&target=de", form)
    assert status == 400 and b"malformed %-escape" in body
    status, _, body = server.request("POST", "/translate", b"q=%FF%FE&source=en&target=de", form)
    assert status == 400 and b"not UTF-8" in body
    status, _, body = server.request("POST", "/translate", b"q=12&q=13&source=en&target=en", form)
    assert status == 200 and json.loads(body) == {"translatedText": "twelve"}  # the first q, as Flask


# --- Bad input anywhere: a clear 4xx JSON error, and the server stays up ---------------------

def test_bad_requests_get_clear_errors(server):
    json_type = {"Content-Type": "application/json"}
    cases = [
        ("POST", "/translate", b'{"q": ', json_type, 400, "Invalid request: the body is not valid JSON"),
        ("POST", "/translate", b"[1, 2]", json_type, 400, "Invalid request: the JSON body must be an object"),
        ("POST", "/translate", b'{"q": "1", "q": "2", "source": "en", "target": "de"}', json_type, 400,
         "Invalid request: the body is not valid JSON"),
        ("POST", "/translate", b"\xff\xfe", json_type, 400, "Invalid request: the body is not valid JSON"),
        ("POST", "/translate", b"[" * 100000, json_type, 400, "Invalid request: the body is not valid JSON"),
        ("POST", "/translate", b"q=1", {"Content-Type": "text/csv"}, 415, "Content-Type text/csv is not supported"),
        ("POST", "/translate", b"x" * (1 << 20 + 1), json_type, 413, "the body is larger than 1048576 bytes"),
        ("GET", "/nowhere", None, {}, 404, "Not found: GET /nowhere"),
        ("POST", "/v1/translate", b'{"text": "4", "num_beams": "four"}', json_type, 400, "num_beams"),
        ("POST", "/v1/translate", b'{"text": "4", "num_beam": 4}', json_type, 400, 'unknown field "num_beam"'),
        ("POST", "/v1/translate", b'{"text": "4", "max_new_tokens": 100000}', json_type, 400,
         "max_new_tokens is 100000; this server allows at most 1024"),
        ("POST", "/v1/translate", b'{"text": "4", "num_beams": 64}', json_type, 400, "num_beams is 64"),
        ("POST", "/v1/translate", b'{"text": "4", "top_p": 2.5, "do_sample": true}', json_type, 400, "top_p"),
        ("POST", "/v1/translate", b'{"text": "4", "target_lang": "klingon"}', json_type, 400, "klingon"),
        ("POST", "/v1/translate", b'{"text": "4", "seed": -1}', json_type, 400, "seed must be a non-negative integer"),
        ("POST", "/v1/translate", b'{"text": "4", "num_beam_groups": 2}', json_type, 400, "num_beam_groups"),
        ("POST", "/v1/generate", b'{"ids": [[1, -2]]}', json_type, 400, "ids[0][1] must be a token id"),
        ("POST", "/v1/generate", b'{"ids": [[5000000]]}', json_type, 400, "5000000"),
        ("POST", "/v1/generate", b'{"ids": [[]]}', json_type, 400, "empty"),
        ("POST", "/v1/score", b'{"source": ["1"], "target": ["a", "b"]}', json_type, 400, "1 sources but 2 targets"),
        ("POST", "/v1/embed", b'{}', json_type, 400, "missing text or ids parameter"),
        ("POST", "/v1/translate", json.dumps({"text": "1 " * 60000}).encode(), json_type, 400,
         "exceeds text limit (100000)"),
    ]
    for method, path, body, headers, status, message in cases:
        got_status, got_headers, got = server.request(method, path, body, headers)
        answer = json.loads(got)
        assert got_status == status, (path, body[:60] if body else None, got)
        assert got_headers["Content-Type"] == "application/json"
        assert set(answer) == {"error"} and message in answer["error"], (path, answer)
        assert server.get_json("/health")[0] == 200
    # Garbage on the socket: the server closes that connection and serves the next one.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(b"\x00\x01 NOT HTTP\r\n\r\n")
        raw.recv(1024)
    assert server.get_json("/health") == (200, {"status": "ok", "model": "marian", "queued": 0, "running": 0})


# --- Native API, against the Python binding on the same model --------------------------------

def test_native_translate_equals_the_binding(server, model):
    sources = [s for s, _ in sample(8)]
    options = {"num_beams": 4, "num_return_sequences": 2, "return_scores": True}
    status, _, answer = server.post_json("/v1/translate", {"text": sources, **options})
    assert status == 200
    expected = model.translate(sources, **options)
    for got, want in zip(answer["translations"], expected):
        assert [h["text"] for h in got] == [h.text for h in want]
        assert [h["ids"] for h in got] == [list(h.ids) for h in want]
        for g, w in zip(got, want):
            assert math.isclose(g["score"], w.score, abs_tol=1e-5)
    # One text (not a list) answers one list of hypotheses.
    status, _, one = server.post_json("/v1/translate", {"text": sources[0], "target_prefix": [], **options})
    assert one["translations"][0]["text"] == expected[0][0].text


def test_native_target_lang_and_prefix(server, model):
    status, _, answer = server.post_json("/v1/translate", {"text": "4213", "target_lang": "fr"})
    assert status == 200 and answer["translations"][0]["text"] == "quatre mille deux cent treize"
    assert answer["translations"][0]["ids"] == list(model.translate([">>fr<< 4213"])[0][0].ids)
    prefix = model.translate([">>fr<< 4213"])[0][0].ids[:2]
    status, _, answer = server.post_json("/v1/translate", {"text": "4213", "target_lang": "fr", "target_prefix": prefix})
    assert answer["translations"][0]["ids"][:2] == list(prefix)


def test_native_sampling_with_seed_is_reproducible(server, model):
    body = {"text": [">>en<< 1984"] * 3, "do_sample": True, "top_k": 5, "temperature": 1.5, "seed": 7}
    first = server.post_json("/v1/translate", body)[2]
    assert first == server.post_json("/v1/translate", body)[2]
    expected = model.translate(body["text"], do_sample=True, top_k=5, temperature=1.5, seed=7)
    assert [t[0]["ids"] for t in first["translations"]] == [list(e[0].ids) for e in expected]


def test_native_generate_score_embed(server, model):
    tokenizer = lmcore.Tokenizer(str(MODEL))
    ids = [tokenizer.encode(s) for s, _ in sample(4)]
    status, _, answer = server.post_json("/v1/generate", {"ids": ids, "num_beams": 2})
    assert status == 200
    expected = model.generate_ids(ids, num_beams=2)
    assert [r[0]["ids"] for r in answer["results"]] == [list(e[0].ids) for e in expected]

    sources = [s for s, _ in sample(4)]
    targets = [t for _, t in sample(4)]
    status, _, answer = server.post_json("/v1/score", {"source": sources, "target": targets})
    assert status == 200
    for got, want in zip(answer["scores"], model.score_text(sources, targets)):
        assert math.isclose(got["total"], want.total, abs_tol=1e-4)
        assert len(got["token_log_probs"]) == len(want.token_scores)

    status, _, answer = server.post_json("/v1/embed", {"text": sources, "token_states": True})
    assert status == 200
    vectors = model.encode_text(sources)
    assert answer["dim"] == len(vectors[0])
    for got, want in zip(answer["embeddings"], vectors):
        assert max(abs(a - b) for a, b in zip(got, want)) < 1e-5
    assert len(answer["token_states"][0]) % answer["dim"] == 0


def test_model_and_health(server):
    status, info = server.get_json("/v1/model")
    assert status == 200 and info["model_type"] == "marian" and "fr" in info["target_languages"]


# --- Streaming (Server-Sent Events) ----------------------------------------------------------

def read_events(raw):
    events = []
    for block in raw.decode().split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_streaming_pieces_add_up_to_the_answer(server, model):
    sources = [">>en<< 1984", ">>it<< 777", ">>fr<< 4213"]
    status, headers, raw = server.request("POST", "/v1/translate", json.dumps({"text": sources, "stream": True}).encode(),
                                          {"Content-Type": "application/json"})
    assert status == 200 and headers["Content-Type"] == "text/event-stream"
    events = read_events(raw)
    assert events[-1][0] == "done"
    texts = [""] * len(sources)
    for name, data in events[:-1]:
        assert name == "text"
        texts[data["input"]] += data["text"]
    expected = [t[0].text for t in model.translate(sources)]
    assert texts == expected
    assert [t[0]["text"] for t in events[-1][1]["translations"]] == expected
    assert len(events) > len(sources) + 1  # pieces, not one event per answer


def test_streaming_error_is_an_event(server):
    status, _, raw = server.request("POST", "/v1/translate",
                                    json.dumps({"text": "1", "stream": True, "min_new_tokens": 200,
                                                "max_new_tokens": 200}).encode(),
                                    {"Content-Type": "application/json"})
    events = read_events(raw)
    assert status == 200 and events[-1][0] == "error" and "128 positions" in events[-1][1]["error"]


# --- Dynamic batching: concurrent requests share batches, answers identical to alone ---------

def test_dynamic_batching_answers_equal_sequential(server):
    inputs = sample(48, step=71)

    def ask(pair):
        source, _ = pair
        return server.post_json("/v1/translate", {"text": source, "num_beams": 4, "return_scores": True})[2]

    alone = [ask(p) for p in inputs]
    before = server.metrics()
    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        together = list(pool.map(ask, inputs))
    after = server.metrics()
    for a, t, (_, expected) in zip(alone, together, inputs):
        assert t["translations"][0]["ids"] == a["translations"][0]["ids"]
        assert math.isclose(t["translations"][0]["score"], a["translations"][0]["score"], abs_tol=1e-5)
        assert t["translations"][0]["text"] == a["translations"][0]["text"]
    batches = after["lmcore_batch_requests_count"] - before["lmcore_batch_requests_count"]
    alone_batches = after['lmcore_batch_requests_bucket{le="1"}'] - before['lmcore_batch_requests_bucket{le="1"}']
    assert batches < len(inputs) and alone_batches < batches, (batches, alone_batches)


def test_metrics_exposition(server):
    values = server.metrics()
    assert values['lmcore_requests_total{route="/translate",status="200"}'] >= 1
    assert values["lmcore_generated_tokens_total"] > 0
    assert values["lmcore_queue_depth"] == 0
    assert values['lmcore_request_duration_seconds_bucket{le="+Inf"}'] == values["lmcore_request_duration_seconds_count"]


# --- Limits, backpressure, timeouts, cancellation, shutdown (each on its own server) ---------

# ~4 s of decoding on 2 cores; scripts/sanitize.sh makes it smaller (ThreadSanitizer runs ~20x slower).
SLOW_INPUTS = int(os.environ.get("LMCORE_SLOW_INPUTS", "64"))
SLOW = {"text": [f">>it<< {i}" for i in range(SLOW_INPUTS)], "num_beams": 16, "min_new_tokens": 120,
        "max_new_tokens": 120}


def test_full_queue_answers_503_and_429_with_retry_after():
    with Server("--max-queue", "1", "--no-batching") as s:
        results = []

        def slow():
            results.append(s.post_json("/v1/translate", SLOW))

        threads = [threading.Thread(target=slow) for _ in range(2)]
        for t in threads:
            t.start()
            time.sleep(0.3)  # one running, one queued
        status, headers, answer = s.post_json("/v1/translate", {"text": "4"})
        assert status == 503 and headers["Retry-After"] == "1" and "Slow down" in answer["error"]
        status, headers, answer = s.post_json("/translate", {"q": "4", "source": "en", "target": "de"})
        assert status == 429 and headers["Retry-After"] == "1" and "Slow down" in answer["error"]
        for t in threads:
            t.join()
        assert [r[0] for r in results] == [200, 200]
        assert s.metrics()["lmcore_requests_rejected_total"] == 2
        assert s.post_json("/translate", {"q": "4", "source": "en", "target": "de"})[0] == 200


def test_request_timeout_stops_the_work():
    with Server("--timeout", "0.5") as s:
        start = time.monotonic()
        status, _, answer = s.post_json("/v1/translate", SLOW)
        assert status == 503 and "timeout (0.5 s)" in answer["error"]
        assert time.monotonic() - start < 3
        # The engine dropped the work (the whole request takes ~4 s on 2 cores): the next is served at once.
        status, _, answer = s.post_json("/translate", {"q": "12", "source": "en", "target": "en"})
        assert (status, answer) == (200, {"translatedText": "twelve"})
        assert time.monotonic() - start < 3
        assert s.metrics()["lmcore_requests_abandoned_total"] == 1


def test_client_going_away_abandons_its_work():
    with Server() as s:
        raw = socket.create_connection(("127.0.0.1", s.port))
        body = json.dumps(SLOW).encode()
        raw.sendall(b"POST /v1/translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(0.3)
        raw.close()
        start = time.monotonic()
        while s.metrics()["lmcore_requests_abandoned_total"] < 1 and time.monotonic() - start < 10:
            time.sleep(0.05)
        assert s.metrics()["lmcore_requests_abandoned_total"] == 1
        assert time.monotonic() - start < 3
        assert s.post_json("/translate", {"q": "12", "source": "en", "target": "en"})[2] == {"translatedText": "twelve"}


def test_sigterm_finishes_requests_in_flight():
    s = Server()
    results = []
    worker = threading.Thread(target=lambda: results.append(s.post_json("/v1/translate", SLOW)))
    worker.start()
    time.sleep(0.5)
    s.process.send_signal(signal.SIGTERM)
    worker.join(60)
    assert s.process.wait(60) == 0
    assert results and results[0][0] == 200 and len(results[0][2]["translations"]) == SLOW_INPUTS
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", s.port), timeout=2).close()


def test_source_and_target_lists_and_detected_language():
    with Server("--source-lang", "en", "--target-lang", "de", "fr") as s:
        languages = LibreTranslateAPI(s.url).languages()
        assert [l["code"] for l in languages] == ["en", "de", "fr"]
        status, _, answer = s.post_json("/translate", {"q": "12", "source": "auto", "target": "fr"})
        assert answer == {"translatedText": "douze", "detectedLanguage": {"confidence": 100, "language": "en"}}
        assert s.post_json("/translate", {"q": "12", "source": "nl", "target": "fr"})[2] == {"error": "nl is not supported"}
        assert s.post_json("/translate", {"q": "12", "source": "en", "target": "it"})[2] == {"error": "it is not supported"}


def test_operator_errors_fail_at_start():
    import subprocess
    from server import cli_path
    bad = subprocess.run([cli_path(), "serve", "--model", str(MODEL), "--target-lang", "xx", "--port", "0"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "target language xx is not one of the model's" in bad.stderr
    bad = subprocess.run([cli_path(), "serve", "--model", str(MODEL), "--max-batch-size", "0", "--port", "0"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "max batch inputs is 0" in bad.stderr
    with Server() as s:
        taken = subprocess.run([cli_path(), "serve", "--model", str(MODEL), "--port", str(s.port)],
                               capture_output=True, text=True, timeout=60)
        assert taken.returncode == 1 and "serve:" in taken.stderr


def m2m100_folder(tmp_path):
    """The tiny M2M100 fixture with a word-level tokenizer whose id 5 is `__fr__` (as
    TargetLanguageFamilyTests builds it) and a max_length inside its 12 positions."""
    import shutil
    source = MODEL.parents[1] / "Tests" / "Fixtures" / "models" / "m2m100-relu-tied"
    folder = tmp_path / "m2m100"
    shutil.copytree(source, folder)
    vocab_size = json.load(open(folder / "config.json"))["vocab_size"]
    vocab = {("__fr__" if i == 5 else f"t{i}"): i for i in range(vocab_size)}
    json.dump({"version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": None,
               "pre_tokenizer": {"type": "WhitespaceSplit"}, "post_processor": None, "decoder": None,
               "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "t3"}}, open(folder / "tokenizer.json", "w"))
    config = json.load(open(folder / "generation_config.json"))
    config.pop("forced_bos_token_id")
    config["max_length"] = 8
    json.dump(config, open(folder / "generation_config.json", "w"))
    return folder


def test_m2m100_target_is_the_forced_first_token(tmp_path):
    with Server(model=m2m100_folder(tmp_path)) as s:
        assert [l["code"] for l in LibreTranslateAPI(s.url).languages()] == ["fr"]
        status, _, libre = s.post_json("/translate", {"q": "t7 t9 t11", "source": "en", "target": "fr"})
        assert status == 200
        status, _, native = s.post_json("/v1/translate", {"text": "t7 t9 t11", "forced_bos_token_id": 5})
        assert native["translations"][0]["ids"][0] == 5
        assert libre["translatedText"] == native["translations"][0]["text"]
        status, _, tagged = s.post_json("/v1/translate", {"text": "t7 t9 t11", "target_lang": "fr"})
        assert tagged["translations"][0]["ids"] == native["translations"][0]["ids"]
        assert s.post_json("/translate", {"q": "t7", "source": "en", "target": "de"})[2] == {"error": "de is not supported"}
