"""Builds one domain folder of clean UTF-8 documents from the given sources.

Usage (called by launch/fetch-corpus):
  python3 build_domain.py --domain NAME --out DIR [--cap-mb 10] [--min-mb 2]
      [--jsonl] --source KIND:PATH [--source KIND:PATH ...]

KIND is one of: python (a tree of .py files, test/ folders left out), swift
(a folder of bare git repositories), rst, html, man, sword, dictd (a path
without .index/.dict.dz), licenses (the licensedcode-data wheel).
Standard library only.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sources  # noqa: E402
from clean import DomainWriter, progress  # noqa: E402

READERS = {
    "python": lambda p: sources.source_files(p, (".py",), exclude_dirs=("test", "tests", "idle_test")),
    "swift": sources.swift_repositories,
    "rst": sources.rst_files,
    "html": sources.html_files,
    "man": sources.man_pages,
    "sword": sources.sword_module,
    "dictd": sources.dictd,
    "licenses": sources.license_texts,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--domain", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--cap-mb", type=float, default=10)
    parser.add_argument("--min-mb", type=float, default=2)
    parser.add_argument("--jsonl", action="store_true",
                        help="write documents.jsonl (one {\"text\": ...} per line) instead of .txt files")
    parser.add_argument("--source", action="append", required=True, metavar="KIND:PATH")
    args = parser.parse_args()

    started = time.time()
    writer = DomainWriter(args.domain, args.out, int(args.cap_mb * 1e6),
                          int(args.min_mb * 1e6), args.jsonl)
    for spec in args.source:
        kind, _, path = spec.partition(":")
        if kind not in READERS:
            raise SystemExit(f"fetch-corpus: domain {args.domain}: unknown source kind '{kind}' "
                             f"(known: {', '.join(sorted(READERS))})")
        if not os.path.exists(path) and not os.path.exists(path + ".index"):
            raise SystemExit(f"fetch-corpus: domain {args.domain}: source {path} does not exist")
        label = os.path.basename(path.rstrip("/"))
        if "/cache/root/" in path:  # name the Debian package it came from
            label = path.split("/cache/root/", 1)[1].split("/", 1)[0]
        writer.add_source(f"{kind}-{label}", READERS[kind](path))
    writer.write()
    progress(f"  {args.domain}: done in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
