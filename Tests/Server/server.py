"""Starts `lmcore-cli serve` on a free loopback port for a test or a benchmark, and stops it
(SIGTERM, as an operator would). Plain standard library: http.client for requests."""

import http.client
import json
import os
import pathlib
import signal
import subprocess
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "numbers-7lang"


def cli_path():
    build = os.environ.get("LMCORE_BUILD") or str(ROOT / ".build" / "release")
    return str(pathlib.Path(build) / "lmcore-cli")


def heldout():
    """(source, HF greedy text) for every held-out input of the bundled model (HF transformers' output)."""
    rows = [line.rstrip("\n").split("\t") for line in open(MODEL / "eval" / "heldout.tsv", encoding="utf-8")][1:]
    greedy = [json.loads(line) for line in open(MODEL / "eval" / "hf_greedy.jsonl", encoding="utf-8")]
    assert len(rows) == len(greedy)
    return [(row[2], g["text"]) for row, g in zip(rows, greedy)]


class Server:
    def __init__(self, *args, model=MODEL):
        self.process = subprocess.Popen([cli_path(), "serve", "--model", str(model), "--port", "0", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.port = None
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if "listening on http://" in line:
                self.port = int(line.rsplit(":", 1)[1])
                break
            if self.process.poll() is not None:
                break
        if self.port is None:
            self.process.kill()
            raise RuntimeError(f"server did not start: {line!r} {self.process.stderr.read()}")
        # Keep reading stdout so the server never blocks on a full pipe.
        self.output = []
        threading.Thread(target=lambda: self.output.extend(self.process.stdout), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}/"

    def request(self, method, path, body=None, headers=None, timeout=120):
        """(status, headers, body bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def post_json(self, path, value, timeout=120):
        status, headers, body = self.request("POST", path, json.dumps(value).encode(),
                                             {"Content-Type": "application/json"}, timeout)
        return status, headers, json.loads(body)

    def get_json(self, path):
        status, _, body = self.request("GET", path)
        return status, json.loads(body)

    def metrics(self):
        """{name{labels}: value} from /metrics."""
        _, _, body = self.request("GET", "/metrics")
        values = {}
        for line in body.decode().splitlines():
            if line and not line.startswith("#"):
                key, value = line.rsplit(" ", 1)
                values[key] = float(value)
        return values

    def stop(self, timeout=60):
        """SIGTERM, then the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
