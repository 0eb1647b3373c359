"""Text cleaning, de-duplication and the capped, atomic domain writer.

Standard library only (the project allows Python solely for format
conversion at set-up time).

Cleaning contract for every document written to data/corpus/<domain>/:
  * valid UTF-8 (documents that are not are rejected, never repaired);
  * newlines are "\n"; trailing whitespace is stripped; runs of more than two
    blank lines collapse to two;
  * every C0 control character except TAB and LF, DEL and the C1 controls
    (U+0080-U+009F) are removed -- this includes the six bytes the teacher's
    tokenizer has no token for (0x04, 0x06, 0x13, 0x14, 0x16, 0x1D);
  * documents that look binary (NUL bytes, or more than 1% U+FFFD / private
    use characters) are rejected;
  * de-duplication by the SHA-1 of the normalized document (lower case,
    whitespace runs collapsed to one space).
"""

import hashlib
import json
import os
import re
import shutil
import sys

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_RUNS = re.compile(r"\n{4,}")
_WHITESPACE = re.compile(r"\s+")
_SUSPICIOUS = re.compile("[\ufffd\ue000-\uf8ff]")


def clean_text(text):
    """Returns the cleaned document text, or None when it must be rejected."""
    if "\x00" in text:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _CONTROL.sub("", text)
    if text and len(_SUSPICIOUS.findall(text)) > len(text) / 100:
        return None
    text = _TRAILING_SPACE.sub("\n", text + "\n")
    text = _BLANK_RUNS.sub("\n\n\n", text)
    return text.strip("\n") + "\n"


def decode_utf8(data):
    """Strict UTF-8 decoding; None when the bytes are not valid UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def fingerprint(text):
    normalized = _WHITESPACE.sub(" ", text.lower()).strip()
    return hashlib.sha1(normalized.encode("utf-8")).hexdigest()


def stable_order_key(name):
    """A deterministic pseudo-random order (so a capped domain samples evenly)."""
    return hashlib.sha1(name.encode("utf-8")).hexdigest()


def progress(message):
    print(message, file=sys.stderr, flush=True)


class DomainWriter:
    """Collects documents from several sources and writes one domain folder.

    Sources are interleaved by bytes (the next document always comes from the
    source that has contributed the fewest bytes so far), each source in a
    stable hashed order, until the cap is reached. The folder is written under
    a temporary name and renamed at the end, so an interrupted run leaves no
    half-written domain behind.
    """

    def __init__(self, domain, out_dir, cap_bytes, min_bytes, jsonl,
                 min_document_chars=64, max_document_bytes=512 * 1024):
        self.domain = domain
        self.out_dir = out_dir
        self.cap_bytes = cap_bytes
        self.min_bytes = min_bytes
        self.jsonl = jsonl
        self.min_document_chars = min_document_chars
        self.max_document_bytes = max_document_bytes
        self.sources = []  # (source name, [(doc name, text)])
        self.rejected = {"not_utf8": 0, "binary": 0, "too_small": 0,
                         "too_large": 0, "duplicate": 0}

    def reject(self, reason):
        self.rejected[reason] += 1

    def add_source(self, source_name, documents):
        """documents: iterable of (name, raw text or bytes)."""
        kept = []
        for name, raw in documents:
            if isinstance(raw, bytes):
                raw = decode_utf8(raw)
                if raw is None:
                    self.reject("not_utf8")
                    continue
            text = clean_text(raw)
            if text is None:
                self.reject("binary")
                continue
            if len(text.strip()) < self.min_document_chars:
                self.reject("too_small")
                continue
            if len(text.encode("utf-8")) > self.max_document_bytes:
                self.reject("too_large")
                continue
            kept.append((name, text))
        kept.sort(key=lambda item: stable_order_key(item[0]))
        total = sum(len(t.encode("utf-8")) for _, t in kept)
        progress(f"  {self.domain}: source {source_name}: {len(kept)} documents, "
                 f"{total / 1e6:.1f} MB before de-duplication and cap")
        self.sources.append((source_name, kept))

    def write(self):
        seen = set()
        chosen = []
        taken = [0] * len(self.sources)
        cursors = [0] * len(self.sources)
        total = 0
        while total < self.cap_bytes:
            open_sources = [i for i, (_, docs) in enumerate(self.sources)
                            if cursors[i] < len(docs)]
            if not open_sources:
                break
            i = min(open_sources, key=lambda k: taken[k])
            name, text = self.sources[i][1][cursors[i]]
            cursors[i] += 1
            key = fingerprint(text)
            if key in seen:
                self.reject("duplicate")
                continue
            seen.add(key)
            size = len(text.encode("utf-8"))
            chosen.append((self.sources[i][0], name, text))
            taken[i] += size
            total += size
        if total < self.min_bytes:
            raise SystemExit(
                f"fetch-corpus: domain {self.domain}: only {total / 1e6:.2f} MB of clean "
                f"text (need at least {self.min_bytes / 1e6:.1f} MB); check its sources")
        tmp = self.out_dir + ".partial"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        if self.jsonl:
            with open(os.path.join(tmp, "documents.jsonl"), "w", encoding="utf-8") as f:
                for source, name, text in chosen:
                    f.write(json.dumps({"text": text, "source": f"{source}:{name}"},
                                       ensure_ascii=False) + "\n")
        else:
            used = set()
            for index, (source, name, text) in enumerate(chosen):
                base = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{source}_{name}")[-120:]
                filename = f"{base}.txt"
                if filename in used:
                    filename = f"{base}.{index}.txt"
                used.add(filename)
                with open(os.path.join(tmp, filename), "w", encoding="utf-8") as f:
                    f.write(text)
        stats = {
            "domain": self.domain,
            "documents": len(chosen),
            "bytes": total,
            "sources": {s: t for (s, _), t in zip(self.sources, taken)},
            "rejected": self.rejected,
        }
        with open(tmp + ".stats.json", "w") as f:
            json.dump(stats, f, indent=2)
        shutil.rmtree(self.out_dir, ignore_errors=True)
        os.rename(tmp, self.out_dir)
        os.replace(tmp + ".stats.json", os.path.join(os.path.dirname(self.out_dir),
                                                     f".{self.domain}.stats.json"))
        progress(f"  {self.domain}: wrote {len(chosen)} documents, {total / 1e6:.2f} MB "
                 f"(rejected: {', '.join(f'{k} {v}' for k, v in self.rejected.items() if v) or 'none'})")
        return stats
