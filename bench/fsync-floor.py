#!/usr/bin/env python3
"""How many small files this disk can store durably per second, with nothing else going on.

Each file (33,000 bytes) is written to a temporary name, forced to disk with fdatasync, and
renamed into place, as a harvest stores every copy before it records it verified; the same
again without the fdatasync, as rsync and cp leave their writes. With 1, 4 and 8 writers at
once (the harvest copies transfer-concurrency files at once).

    usage: bench/fsync-floor.py [DIRECTORY]   (default: a temporary directory; use the disk
                                               the harvest's storage is on)
"""
import os
import shutil
import sys
import tempfile
import threading
import time

base = tempfile.mkdtemp(dir=sys.argv[1] if len(sys.argv) > 1 else None)
data = os.urandom(33000)


def work(writer, count, durable):
    for i in range(count):
        temporary = os.path.join(base, ".incoming-%d-%d-%d" % (durable, writer, i))
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.write(fd, data)
        if durable:
            os.fdatasync(fd)
        os.close(fd)
        os.rename(temporary, os.path.join(base, "file-%d-%d-%d" % (durable, writer, i)))


try:
    for durable in (True, False):
        for writers in (1, 4, 8):
            count = 2000 // writers
            threads = [threading.Thread(target=work, args=(w, count, durable)) for w in range(writers)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            print("%-28s %d writer(s): %6.0f files/s" % ("write, fdatasync, rename" if durable else "write, rename",
                                                          writers, count * writers / elapsed))
finally:
    shutil.rmtree(base)
