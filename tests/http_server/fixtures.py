#!/usr/bin/env python3
"""Writes the deterministic files the differential scenarios and the bench
serve with server.py.

Usage: fixtures.py ROOT [--big-mib N]

    ROOT/small.txt          "hello world\\n"
    ROOT/empty.bin          0 bytes
    ROOT/noext              5000 bytes
    ROOT/a.bin              100000 bytes, byte i = (i * 7 + i // 251) % 256
    ROOT/big.bin            3 MiB of the same pattern
    ROOT/dir/x.txt, dir/y.bin (20000 bytes), dir/with space.txt,
    ROOT/dir/sub/z.txt, ROOT/dir/emptydir/
    ROOT/huge.bin           N MiB (only with --big-mib N; the bench's file)

Every file and folder gets the same modification time (2020-01-02 03:04 UTC),
so listings and Last-Modified headers are the same from run to run.
"""

import argparse
import os

MTIME = 1577934240  # 2020-01-02T03:04:00Z


def pattern(n, seed=0):
    # Fast enough for hundreds of MiB: one period built once, repeated.
    period = bytes(((i * 7 + i // 251 + seed) % 256) for i in range(251 * 256))
    reps, rest = divmod(n, len(period))
    return period * reps + period[:rest]


def write(root, rel, data):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path) and os.path.getsize(path) == len(data):
        return
    with open(path, "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    ap.add_argument("--big-mib", type=int, default=0)
    args = ap.parse_args()
    root = args.root
    os.makedirs(root, exist_ok=True)
    write(root, "small.txt", b"hello world\n")
    write(root, "empty.bin", b"")
    write(root, "noext", pattern(5000, 3))
    write(root, "a.bin", pattern(100000))
    write(root, "big.bin", pattern(3 << 20, 1))
    write(root, "dir/x.txt", b"x file\n")
    write(root, "dir/y.bin", pattern(20000, 2))
    write(root, "dir/with space.txt", b"spaced\n")
    write(root, "dir/sub/z.txt", b"zzz\n")
    os.makedirs(os.path.join(root, "dir/emptydir"), exist_ok=True)
    if args.big_mib:
        write(root, "huge.bin", pattern(args.big_mib << 20, 5))
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.utime(os.path.join(dirpath, name), (MTIME, MTIME))
    os.utime(root, (MTIME, MTIME))


if __name__ == "__main__":
    main()
