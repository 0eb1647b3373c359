"""Readers that turn each source format into (document name, text) pairs.

Standard library only. Each reader is a generator; cleaning, de-duplication
and the size cap happen in clean.DomainWriter.
"""

import base64
import concurrent.futures
import gzip
import html
import html.parser
import io
import os
import re
import struct
import subprocess
import tarfile
import zipfile
import zlib

from clean import decode_utf8, progress


def walk(root, suffixes, exclude_dirs=()):
    """Sorted relative paths under root ending with one of suffixes."""
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in exclude_dirs)
        for name in files:
            if name.endswith(tuple(suffixes)) and os.path.isfile(os.path.join(directory, name)):
                found.append(os.path.relpath(os.path.join(directory, name), root))
    return sorted(found)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


# --- plain source files -------------------------------------------------------

def source_files(root, suffixes, exclude_dirs=()):
    """Source code files as they are (code-python)."""
    for rel in walk(root, suffixes, exclude_dirs):
        yield rel, read_bytes(os.path.join(root, rel))


# --- HTML ---------------------------------------------------------------------

class _HTMLText(html.parser.HTMLParser):
    BLOCK = {"p", "div", "br", "tr", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
             "h6", "table", "ul", "ol", "dl", "pre", "blockquote", "hr", "section",
             "article", "header", "footer", "caption", "figure"}
    SKIP = {"script", "style", "head", "title", "nav"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip_depth = 0
        self.pre_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip_depth += 1
        elif tag == "pre":
            self.pre_depth += 1
            self.parts.append("\n")
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag == "pre":
            self.pre_depth = max(0, self.pre_depth - 1)
            self.parts.append("\n")
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.skip_depth:
            return
        if self.pre_depth:
            self.parts.append(data)
        else:
            self.parts.append(re.sub(r"\s+", " ", data))

    def text(self):
        lines = [line.strip() if not self.pre_depth else line.rstrip()
                 for line in "".join(self.parts).split("\n")]
        return "\n".join(lines)


def html_to_text(markup):
    parser = _HTMLText()
    parser.feed(markup)
    parser.close()
    text = parser.text()
    return re.sub(r"\n{3,}", "\n\n", text)


def remove_boilerplate(documents, min_documents=10, fraction=0.25):
    """Drops lines (navigation bars, footers) repeated across many documents."""
    documents = list(documents)
    counts = {}
    for _, text in documents:
        for line in set(text.split("\n")):
            if line.strip():
                counts[line] = counts.get(line, 0) + 1
    limit = max(min_documents, int(len(documents) * fraction))
    common = {line for line, n in counts.items() if n >= limit and len(line) < 300}
    for name, text in documents:
        yield name, "\n".join(l for l in text.split("\n") if l not in common)


def html_files(root):
    def convert():
        for rel in walk(root, (".html", ".htm")):
            text = decode_utf8(read_bytes(os.path.join(root, rel)))
            if text is None:
                text = read_bytes(os.path.join(root, rel)).decode("latin-1")
            yield rel, html_to_text(text)
    return remove_boilerplate(convert())


# --- reStructuredText -----------------------------------------------------------

_ROLE = re.compile(r":[a-zA-Z:+-]+:`~?!?([^`<]*?)(?:\s*<[^`>]*>)?`")
_LINK = re.compile(r"`([^`<]+?)\s*<[^`>]+>`_{1,2}")
_REF = re.compile(r"`([^`]+)`_{1,2}")
_LITERAL = re.compile(r"``([^`]+)``")
_EMPHASIS = re.compile(r"\*\*([^*\n]+)\*\*|\*([^*\s][^*\n]*)\*")
_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>_:.])\1{3,}\s*$")
_FOOTNOTE_REF = re.compile(r"\s?\[#?[\w-]*\]_")


def rst_to_text(source):
    out = []
    skipping_block = False
    for line in source.split("\n"):
        stripped = line.strip()
        if skipping_block:
            if stripped and not line[:1].isspace():
                skipping_block = False
            else:
                continue
        if _UNDERLINE.match(line):
            continue
        if stripped.startswith(".. "):
            directive = stripped[3:]
            m = re.match(r"([\w:-]+)::\s*(.*)", directive)
            if m and m.group(1) in ("note", "warning", "seealso", "versionadded",
                                    "versionchanged", "deprecated", "important",
                                    "tip", "caution", "attention"):
                label = m.group(1).replace("seealso", "see also").capitalize()
                out.append(f"{label}: {m.group(2)}".rstrip(": ") + (":" if not m.group(2) else ""))
                continue
            if m and m.group(1) in ("function", "method", "class", "attribute", "data",
                                    "exception", "decorator", "describe", "option",
                                    "envvar", "opcode", "cmdoption", "c:function",
                                    "c:type", "c:macro", "c:member", "c:var",
                                    "classmethod", "staticmethod", "coroutinefunction",
                                    "coroutinemethod", "abstractmethod", "productionlist"):
                out.append(m.group(2))
                continue
            if m and m.group(1) in ("code-block", "sourcecode", "highlight", "literalinclude"):
                continue
            # comments, labels, index entries, module markers, toctrees, images...
            skipping_block = True
            continue
        if stripped.startswith(":") and re.match(r":[\w-]+:( |$)", stripped):
            continue  # directive options such as :synopsis:
        if line.rstrip().endswith("::"):
            line = line.rstrip()[:-1]
        out.append(line)
    # inline markup may span lines, so it is removed from the whole text
    text = "\n".join(out)
    text = _LINK.sub(r"\1", text)
    text = _ROLE.sub(r"\1", text)
    text = _LITERAL.sub(r"\1", text)
    text = _REF.sub(r"\1", text)
    text = _FOOTNOTE_REF.sub("", text)
    return _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)


def rst_files(root, suffixes=(".rst.txt", ".rst")):
    for rel in walk(root, suffixes):
        text = decode_utf8(read_bytes(os.path.join(root, rel)))
        if text is not None:
            yield rel, rst_to_text(text)
        else:
            yield rel, b"\xff"  # rejected as not UTF-8 by the writer


# --- manual pages ---------------------------------------------------------------

def _render_man(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    if data.lstrip().startswith(b".so "):
        return None  # a link to another page
    result = subprocess.run(["groff", "-man", "-Tutf8", "-P-cbou"],
                            input=data, capture_output=True, timeout=60)
    if result.returncode != 0:
        return None
    return result.stdout


def man_pages(root):
    """Manual pages rendered with groff -man -Tutf8 -P-cbou (no overstrike)."""
    pages = [rel for rel in walk(root, (".gz",) + tuple(f".{n}" for n in "123456789"))
             if "/man" in "/" + rel]
    workers = max(1, min(4, os.cpu_count() or 1))
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for rel, rendered in zip(pages, pool.map(lambda r: _render_man(os.path.join(root, r)), pages)):
            if rendered is not None:
                yield rel, rendered


# --- SWORD zText / zCom modules -------------------------------------------------

_OSIS_DROP = re.compile(r"<note\b[^>]*>.*?</note>|<title\b[^>]*type=\"x-gen\"[^>]*>.*?</title>", re.S)
_OSIS_BREAK = re.compile(r"<(?:title|/title|div|l|lb|p|/p|/l)\b[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_CHAPTER = re.compile(r"<chapter\b[^>]*\bsID=\"([^\"]+)\"[^>]*/>")


def sword_module(module_dir):
    """Chapters of a SWORD zText (.bzs/.bzz) or zCom (.czs/.czz) module.

    The .?zs index holds 12-byte little-endian entries (offset, compressed size,
    uncompressed size) into the zlib blocks of the .?zz file. The decompressed
    blocks, in order, are the module's OSIS text; it is split at chapter
    milestones and the markup is stripped (notes are dropped).
    """
    osis = []
    for testament in ("ot", "nt"):
        for index_ext, data_ext in (("bzs", "bzz"), ("czs", "czz")):
            index_path = os.path.join(module_dir, f"{testament}.{index_ext}")
            data_path = os.path.join(module_dir, f"{testament}.{data_ext}")
            if not os.path.exists(index_path) or os.path.getsize(index_path) == 0:
                continue
            index = read_bytes(index_path)
            blob = read_bytes(data_path)
            for at in range(0, len(index) - 11, 12):
                offset, size, unpacked = struct.unpack("<III", index[at:at + 12])
                if size == 0:
                    continue
                block = zlib.decompress(blob[offset:offset + size])
                if len(block) != unpacked:
                    raise SystemExit(f"fetch-corpus: {data_path}: block at {offset} unpacks to "
                                     f"{len(block)} bytes, index says {unpacked}")
                osis.append(block.decode("utf-8"))
    text = "".join(osis)
    pieces = _CHAPTER.split(text)
    # pieces: [before first chapter, id1, body1, id2, body2, ...]
    for i in range(1, len(pieces) - 1, 2):
        chapter_id, body = pieces[i], pieces[i + 1]
        body = _OSIS_DROP.sub("", body)
        body = _OSIS_BREAK.sub("\n", body)
        body = html.unescape(_TAG.sub("", body))
        body = re.sub(r"[ \t]+", " ", body)
        body = "\n".join(line.strip() for line in body.split("\n"))
        body = re.sub(r"\n{3,}", "\n\n", body)
        yield chapter_id, f"{chapter_id.replace('.', ' ')}\n\n{body.strip()}"


# --- dictd dictionaries -----------------------------------------------------------

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _dict_number(text):
    value = 0
    for char in text:
        value = value * 64 + _B64.index(char)
    return value


def dictd(path_without_ext):
    """Entries of a dictd dictionary (.index + .dict.dz, the latter gzip-compatible)."""
    data = gzip.open(path_without_ext + ".dict.dz").read()
    seen_offsets = set()
    with open(path_without_ext + ".index", encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3 or fields[0].startswith("00-database") or fields[0].startswith("00database"):
                continue
            offset, length = _dict_number(fields[1]), _dict_number(fields[2])
            if offset in seen_offsets:
                continue
            seen_offsets.add(offset)
            entry = decode_utf8(data[offset:offset + length])
            if entry is None:
                yield fields[0], b"\xff"
                continue
            entry = re.sub(r"^\s*\[1913 Webster\]\s*$\n?", "", entry, flags=re.M)
            entry = entry.replace("{", "").replace("}", "")
            yield f"{fields[0]}@{offset}", entry


# --- licence texts (licensedcode-data wheel) ------------------------------------------

def license_texts(wheel):
    """Licence texts of ScanCode's licensedcode-data wheel, YAML front matter dropped."""
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(archive.namelist()):
            if not name.endswith(".LICENSE"):
                continue
            text = decode_utf8(archive.read(name))
            if text is None:
                yield name, b"\xff"
                continue
            if text.startswith("---"):
                end = text.find("\n---", 3)
                if end >= 0:
                    text = text[end + 4:]
            yield os.path.basename(name), text


# --- Swift sources from bare git repositories ------------------------------------------

def swift_repositories(root):
    """*.swift files of HEAD of every bare repository under root (git archive)."""
    repos = sorted(os.path.join(d, name) for d, subdirs, _ in os.walk(root)
                   for name in subdirs if name.endswith(".git"))
    seen_repos = set()
    for repo in repos:
        key = repo.lower()
        if key in seen_repos:
            continue  # the same project mirrored under two spellings
        seen_repos.add(key)
        result = subprocess.run(["git", "-C", repo, "archive", "--format=tar", "HEAD"],
                                capture_output=True)
        if result.returncode != 0:
            progress(f"  skipping {repo}: git archive failed")
            continue
        with tarfile.open(fileobj=io.BytesIO(result.stdout), mode="r:") as archive:
            for member in archive:
                if member.isfile() and member.name.endswith(".swift"):
                    yield (f"{os.path.relpath(repo, root)}/{member.name}",
                           archive.extractfile(member).read())
