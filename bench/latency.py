#!/usr/bin/env python3
"""Times N sequential GETs over one keep-alive connection; prints p50 and p99 in ms.

usage: latency.py URL TOKEN N [WARMUP [RAW-FILE]]

The first WARMUP calls (default 20) are not timed: they warm the JIT and the caches. With
RAW-FILE, every timed call's milliseconds are appended to it, one a line, in place of the
percentiles (so that the calls of several runs can be counted together).
"""
import http.client
import sys
import time
import urllib.parse


def main():
    url, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    raw = sys.argv[5] if len(sys.argv) > 5 else None
    parts = urllib.parse.urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"Authorization": "Bearer " + token}
    timings = []
    for i in range(count + warmup):
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            sys.exit("GET %s answered %d: %s" % (path, response.status, body[:300]))
        if i >= warmup:
            timings.append(elapsed)
    if raw is not None:
        with open(raw, "a") as out:
            out.writelines("%.4f\n" % timing for timing in timings)
    elif timings:
        print_percentiles(timings)


def print_percentiles(timings):
    timings.sort()
    p50 = timings[len(timings) // 2]
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print("%.2f %.2f" % (p50, p99))


if __name__ == "__main__":
    main()
