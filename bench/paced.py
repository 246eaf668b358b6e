#!/usr/bin/env python3
"""Sends GETs at a fixed rate over keep-alive connections; prints p50 and p99 in ms.

usage: paced.py URL[,URL...] TOKEN RATE CONNECTIONS SECONDS

Each of CONNECTIONS threads sends RATE/CONNECTIONS requests a second on a fixed schedule, and a
request's time runs from when the schedule meant it to leave, not from when it left: a slow
answer that holds the next request back counts against that one too (no coordinated
omission). Given several URLs, each thread keeps a connection to each and sends its requests to
them in turn, so the URLs share one schedule and whatever else the machine does at the time:
their figures can be compared with each other (a URL given twice shows what the measurement's
own noise is). Prints "p50 p99 answered failed" per URL, one line each.
"""
import http.client
import sys
import threading
import time
import urllib.parse


def main():
    urls, token = sys.argv[1].split(","), sys.argv[2]
    rate, connections, seconds = float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    # Python hands its lock between threads every 5 ms by default: a thread whose answer has
    # arrived could wait that long for it, which would show as latency that is the client's own.
    sys.setswitchinterval(0.0002)
    targets = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        targets.append((parts.hostname, parts.port, parts.path + ("?" + parts.query if parts.query else "")))
    headers = {"Authorization": "Bearer " + token}
    interval = connections / rate
    timings = [[] for _ in targets]
    failures = [0 for _ in targets]
    lock = threading.Lock()
    start = time.perf_counter() + 0.1

    def connect(target):
        return http.client.HTTPConnection(target[0], target[1], timeout=30)

    def client(index):
        links = [connect(target) for target in targets]
        due = start + index * interval / connections
        turn = index % len(targets)
        mine, failed = [[] for _ in targets], [0 for _ in targets]
        while due < start + seconds:
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
            try:
                links[turn].request("GET", targets[turn][2], headers=headers)
                response = links[turn].getresponse()
                response.read()
                if response.status == 200:
                    mine[turn].append((time.perf_counter() - due) * 1000)
                else:
                    failed[turn] += 1
            except (OSError, http.client.HTTPException):
                failed[turn] += 1
                links[turn].close()
                links[turn] = connect(targets[turn])
            due += interval
            turn = (turn + 1) % len(targets)
        with lock:
            for i in range(len(targets)):
                timings[i].extend(mine[i])
                failures[i] += failed[i]

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for found, failed in zip(timings, failures):
        found.sort()
        if not found:
            print("0 0 0", failed)
            continue
        p = lambda q: found[min(len(found) - 1, int(q * len(found)))]
        print(f"{p(0.5):.2f} {p(0.99):.2f} {len(found)} {failed}")


if __name__ == "__main__":
    main()
