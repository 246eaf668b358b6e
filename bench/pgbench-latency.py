#!/usr/bin/env python3
"""Reads pgbench --log files and prints p50 and p99 transaction latency in ms.

usage: pgbench-latency.py LOG-PREFIX [WARMUP]

The first WARMUP transactions (default 20) are not counted, as the API's are not.
"""
import glob
import sys

warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 20
timings = []
for name in glob.glob(sys.argv[1] + "*"):
    with open(name) as log:
        for line in log:
            fields = line.split()
            if len(fields) >= 3:
                timings.append(int(fields[2]) / 1000.0)
timings = timings[warmup:] if len(timings) > 2 * warmup else timings
timings.sort()
print("%.2f %.2f" % (timings[len(timings) // 2], timings[min(len(timings) - 1, int(len(timings) * 0.99))]))
