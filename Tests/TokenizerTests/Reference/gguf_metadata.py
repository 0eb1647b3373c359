"""The metadata of a GGUF file (format version 2 or 3), read with struct alone: the
tokenizer references' only view of the model file (no code shared with SwiftDDK)."""
import struct


def read_metadata(path):
    with open(path, "rb") as f:
        data = f.read(64 << 20)
    offset = 0

    def take(fmt):
        nonlocal offset
        value = struct.unpack_from("<" + fmt, data, offset)
        offset += struct.calcsize("<" + fmt)
        return value[0]

    def string():
        nonlocal offset
        n = take("Q")
        text = data[offset:offset + n].decode("utf-8")
        offset += n
        return text

    scalar = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}

    def value(kind):
        if kind == 8:
            return string()
        if kind == 9:
            element, count = take("I"), take("Q")
            return [value(element) for _ in range(count)]
        return take(scalar[kind])

    assert take("I") == 0x46554747, "not a GGUF file"
    take("I")
    take("Q")
    metadata = {}
    for _ in range(take("Q")):
        key = string()
        metadata[key] = value(take("I"))
    return metadata
