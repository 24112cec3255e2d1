#!/usr/bin/env python3
"""Makes the archives of the zip and tar bench families, from a fixed seed:
<dir>/bench.zip holds <members> small deflated members (f000000.txt ...)
and big.bin, <big_mb> MB of word-like text, deflated; <dir>/bench.tar holds
the same small members. Also writes <dir>/bench.crc: big.bin's size.

usage: make_archives.py DIR MEMBERS BIG_MB
"""
import io
import os
import random
import sys
import tarfile
import zipfile

out, members, big_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(4000)]
block = bytearray()
while len(block) < (1 << 20):
    block += rng.choice(words) + (b"\n" if rng.random() < 0.1 else b" ")
block = bytes(block[: 1 << 20])
DT = (2022, 1, 1, 0, 0, 0)

with zipfile.ZipFile(os.path.join(out, "bench.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(members):
        zi = zipfile.ZipInfo("f%06d.txt" % i, date_time=DT)
        zi.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(zi, b"member %d\n" % i)
    zi = zipfile.ZipInfo("big.bin", date_time=DT)
    zi.compress_type = zipfile.ZIP_DEFLATED
    with z.open(zi, "w", force_zip64=True) as f:
        for b in range(big_mb):
            k = (b * 7919) % len(block)
            f.write(block[k:] + block[:k])

with tarfile.open(os.path.join(out, "bench.tar"), "w", format=tarfile.USTAR_FORMAT) as t:
    for i in range(members):
        data = b"member %d\n" % i
        ti = tarfile.TarInfo("f%06d.txt" % i)
        ti.size, ti.mtime = len(data), 1640995200
        t.addfile(ti, io.BytesIO(data))
