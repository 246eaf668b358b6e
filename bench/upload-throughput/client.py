#!/usr/bin/env python3
"""Upload clients for the benchmark, one per protocol, each timing the whole upload while
sampling a process's resident memory.

usage: client.py tus|chunked FILE BASE_URL TOKEN|- PID [DATASET]
env:   CHUNK_CONNECTIONS (chunked: connections sending chunks at once, default 2)
prints: seconds peak_rss_delta_bytes
"""
import base64
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse

BLOCK = 1024 * 1024


class RssSampler(threading.Thread):
    """Peak resident memory of a process above where it stood when sampling began."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.base = self.rss()
        self.peak = self.base
        self.running = True

    def rss(self):
        if self.pid <= 0:
            return 0
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def run(self):
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.05)

    def stop(self):
        self.running = False
        self.join()
        return self.peak - self.base


def connect(base):
    url = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=600, blocksize=BLOCK)


def headers(token, extra=None):
    result = {} if token == "-" else {"Authorization": f"Bearer {token}"}
    result.update(extra or {})
    return result


def check(response, *expected):
    body = response.read()
    if response.status not in expected:
        raise SystemExit(f"unexpected {response.status}: {body[:300]!r}")
    return body


def tus(path, base, token, dataset):
    size = os.path.getsize(path)
    url = urllib.parse.urlsplit(base)
    connection = connect(base)
    meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in
                    {"filename": os.path.basename(path), "dataset_name": dataset}.items())
    connection.request("POST", url.path, headers=headers(token, {
        "Tus-Resumable": "1.0.0", "Upload-Length": str(size), "Upload-Metadata": meta}))
    response = connection.getresponse()
    check(response, 201)
    location = urllib.parse.urljoin(base + "/", response.getheader("Location"))
    target = urllib.parse.urlsplit(location).path
    # One PATCH for the whole file, as tus-js-client sends by default.
    with open(path, "rb") as body:
        connection.request("PATCH", target, body=body, headers=headers(token, {
            "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Length": str(size),
            "Content-Type": "application/offset+octet-stream"}))
        check(connection.getresponse(), 204)


def chunked(path, base, token, dataset, chunk=32 * 1024 * 1024,
            parallel=int(os.environ.get("CHUNK_CONNECTIONS", "2"))):
    size = os.path.getsize(path)
    connection = connect(base)
    connection.request("POST", "/api/upload/initiate", body=json.dumps({
        "filename": os.path.basename(path), "size": size, "chunk_size": chunk, "dataset_name": dataset}),
        headers=headers(token, {"Content-Type": "application/json"}))
    job = json.loads(check(connection.getresponse(), 201))["job_id"]
    total = (size + chunk - 1) // chunk
    failures = []

    def send(indices):
        own = connect(base)
        # One buffer per connection, read into again for every chunk: a fresh 32 MiB bytes
        # object per chunk is a fresh mapping from the kernel, a quarter of a million page
        # faults per GiB on the cores the server shares.
        buffer = memoryview(bytearray(chunk))
        with open(path, "rb") as source:
            for index in indices:
                source.seek(index * chunk)
                length = 0
                while length < chunk:
                    count = source.readinto(buffer[length:])
                    if not count:
                        break
                    length += count
                own.request("PUT", f"/api/upload/chunk/{job}/{index}", body=buffer[:length],
                            headers=headers(token, {"Content-Type": "application/octet-stream"}))
                response = own.getresponse()
                if response.status != 200:
                    failures.append(response.read()[:300])
                else:
                    response.read()

    workers = [threading.Thread(target=send, args=(range(i, total, parallel),)) for i in range(parallel)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise SystemExit(f"chunk failed: {failures[0]!r}")
    connection.request("POST", f"/api/upload/complete/{job}", headers=headers(token))
    check(connection.getresponse(), 200)


def main():
    protocol, path, base, token, pid = sys.argv[1:6]
    dataset = sys.argv[6] if len(sys.argv) > 6 else "benchmark"
    sampler = RssSampler(int(pid))
    sampler.start()
    started = time.perf_counter()
    {"tus": tus, "chunked": chunked}[protocol](path, base, token, dataset)
    elapsed = time.perf_counter() - started
    print(f"{elapsed:.3f} {sampler.stop()}")


if __name__ == "__main__":
    main()
