#!/usr/bin/env python3
"""Reads pgbench --log files and prints p50 and p99 transaction latency in ms."""
import glob
import sys

timings = []
for name in glob.glob(sys.argv[1] + "*"):
    with open(name) as log:
        for line in log:
            fields = line.split()
            if len(fields) >= 3:
                timings.append(int(fields[2]) / 1000.0)
timings = timings[20:] if len(timings) > 40 else timings
timings.sort()
print("%.2f %.2f" % (timings[len(timings) // 2], timings[min(len(timings) - 1, int(len(timings) * 0.99))]))
