"""Independent dequantization reference for the GGUF tests: the `gguf` package from PyPI
(gguf-py, maintained with llama.cpp), whose gguf.quants.dequantize is written in NumPy.

Usage:
  python3 reference_dequantize.py rows MODEL.gguf REQUESTS.json OUTPUT.f32
      REQUESTS.json is a list of {"name": TENSOR, "rows": [START, END]}; the dequantized rows
      of each request are appended to OUTPUT.f32 as little-endian float32. Prints, as JSON,
      every tensor of the file with its ggml type name and dimensions (ne0 first).
  python3 reference_dequantize.py blocks TYPE INPUT.bin OUTPUT.f32 [TYPE INPUT.bin OUTPUT.f32 ...]
      Dequantizes the raw blocks in each INPUT.bin as ggml type TYPE (e.g. "Q3_K").
Exits with status 3 when the gguf package cannot be imported.
"""
import json
import sys

try:
    import numpy as np
    from gguf import GGMLQuantizationType, GGUFReader
    from gguf.quants import dequantize
except ImportError as error:
    print(f"reference_dequantize.py: {error}", file=sys.stderr)
    sys.exit(3)


def rows(model, requests_path, output_path):
    reader = GGUFReader(model)
    by_name = {tensor.name: tensor for tensor in reader.tensors}
    with open(requests_path) as requests_file:
        requests = json.load(requests_file)
    with open(output_path, "wb") as output:
        for request in requests:
            tensor = by_name[request["name"]]
            start, end = request["rows"]
            # tensor.data is rows × (bytes per row) for quantized types, rows × ne0 otherwise.
            data = np.asarray(tensor.data).reshape(-1, tensor.data.shape[-1])[start:end]
            values = dequantize(data, tensor.tensor_type).astype("<f4")
            assert values.shape == (end - start, int(tensor.shape[0])), values.shape
            output.write(values.tobytes())
    listing = [{"name": t.name, "type": t.tensor_type.name, "dimensions": [int(n) for n in t.shape]}
               for t in reader.tensors]
    json.dump(listing, sys.stdout)


def blocks(*triples):
    for type_name, input_path, output_path in zip(triples[0::3], triples[1::3], triples[2::3]):
        data = np.fromfile(input_path, dtype=np.uint8)
        values = dequantize(data, GGMLQuantizationType[type_name]).astype("<f4")
        values.tofile(output_path)


if __name__ == "__main__":
    mode, arguments = sys.argv[1], sys.argv[2:]
    {"rows": rows, "blocks": blocks}[mode](*arguments)
