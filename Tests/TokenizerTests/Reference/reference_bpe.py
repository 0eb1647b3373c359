"""Independent reference encoder for SmolLM2's byte-level BPE (standard library only).

Usage: python3 reference_bpe.py MODEL.gguf INPUT.json OUTPUT.json
INPUT.json is a list of strings; OUTPUT.json receives a list of id lists.

Written differently from the Swift encoder on purpose: the pre-tokenizer is Python's `re`
engine running the GPT-2 pattern with explicit Unicode classes (\\p{L}, \\p{N} built from
unicodedata, \\s = the White_Space property), after a first split that isolates every
\\p{N} character; BPE is GPT-2's original loop (merge every occurrence of the best pair per
pass).
"""
import json
import re
import sys
import unicodedata

from gguf_metadata import read_metadata


def read_tokenizer(path):
    metadata = read_metadata(path)
    return metadata["tokenizer.ggml.tokens"], metadata["tokenizer.ggml.merges"]


def bytes_to_unicode():
    printable = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    characters = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            characters.append(256 + extra)
            extra += 1
    return {b: chr(c) for b, c in zip(printable, characters)}


WHITE_SPACE = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680] + list(range(0x2000, 0x200B)) + [
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000]


def character_class(predicate):
    ranges, start, previous = [], None, None
    for code in range(0x110000):
        if predicate(code):
            if start is None:
                start = code
            previous = code
        elif start is not None:
            ranges.append((start, previous))
            start = None
    if start is not None:
        ranges.append((start, previous))
    return "".join(re.escape(chr(a)) if a == b else re.escape(chr(a)) + "-" + re.escape(chr(b)) for a, b in ranges)


def build_pattern():
    white = set(WHITE_SPACE)
    category = unicodedata.category
    letters = character_class(lambda c: c not in white and category(chr(c)) in ("Lu", "Ll", "Lt", "Lm", "Lo"))
    numbers = character_class(lambda c: c not in white and category(chr(c)) in ("Nd", "Nl", "No"))
    space = "".join(re.escape(chr(c)) for c in WHITE_SPACE)
    gpt2 = (rf"'s|'t|'re|'ve|'m|'ll|'d| ?[{letters}]+| ?[{numbers}]+| ?[^{space}{letters}{numbers}]+"
            rf"|[{space}]+(?![^{space}])|[{space}]+")
    return re.compile(gpt2), re.compile(rf"[{numbers}]")


def main():
    model, input_path, output_path = sys.argv[1:4]
    tokens, merges = read_tokenizer(model)
    ids = {token: i for i, token in reversed(list(enumerate(tokens)))}
    ranks = {tuple(merge.split(" ")): rank for rank, merge in reversed(list(enumerate(merges)))}
    alphabet = bytes_to_unicode()
    pattern, digit = build_pattern()

    def bpe(word):
        parts = list(word)
        while len(parts) > 1:
            pairs = {(parts[i], parts[i + 1]) for i in range(len(parts) - 1)}
            best = min(pairs, key=lambda pair: ranks.get(pair, float("inf")))
            if best not in ranks:
                break
            merged, i = [], 0
            while i < len(parts):
                if i < len(parts) - 1 and (parts[i], parts[i + 1]) == best:
                    merged.append(parts[i] + parts[i + 1])
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return [ids[part] for part in parts]

    def pieces(text):
        start = 0
        for match in digit.finditer(text):
            if match.start() > start:
                yield text[start:match.start()]
            yield match.group()
            start = match.end()
        if start < len(text):
            yield text[start:]

    cache = {}
    results = []
    for text in json.load(open(input_path, encoding="utf-8")):
        out = []
        for piece in pieces(text):
            for word in pattern.findall(piece):
                if word not in cache:
                    cache[word] = bpe("".join(alphabet[b] for b in word.encode("utf-8")))
                out.extend(cache[word])
        results.append(out)
    json.dump(results, open(output_path, "w"))


if __name__ == "__main__":
    main()
