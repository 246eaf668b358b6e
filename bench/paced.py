#!/usr/bin/env python3
"""Sends GETs at a fixed rate over keep-alive connections; prints p50 and p99 in ms.

usage: paced.py URL TOKEN RATE CONNECTIONS SECONDS

Each of CONNECTIONS threads sends RATE/CONNECTIONS requests a second on a fixed schedule, and a
request's time runs from when the schedule meant it to leave, not from when it left: a slow
answer that holds the next request back counts against that one too (no coordinated
omission). Prints "p50 p99 answered failed".
"""
import http.client
import sys
import threading
import time
import urllib.parse


def main():
    url, token = sys.argv[1], sys.argv[2]
    rate, connections, seconds = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    parts = urllib.parse.urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    headers = {"Authorization": "Bearer " + token}
    interval = connections / rate
    timings, failures = [], [0]
    lock = threading.Lock()
    start = time.perf_counter() + 0.1

    def client(index):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        due = start + index * interval / connections
        mine, failed = [], 0
        while due < start + seconds:
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    mine.append((time.perf_counter() - due) * 1000)
                else:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            due += interval
        with lock:
            timings.extend(mine)
            failures[0] += failed

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.sort()
    if not timings:
        print("0 0 0", failures[0])
        return
    p = lambda q: timings[min(len(timings) - 1, int(q * len(timings)))]
    print(f"{p(0.5):.2f} {p(0.99):.2f} {len(timings)} {failures[0]}")


if __name__ == "__main__":
    main()
