/**
 * Reads the initializers (named weight tensors) of an ONNX model file: a minimal protobuf walk of
 * ModelProto.graph.initializer, enough for the encoder to take a BERT's weights by name. Tensor
 * bytes are views into the file (no copies).
 */
export interface OnnxTensor {
  name: string;
  /** ONNX TensorProto.DataType: 1 float, 3 int8, 2 uint8, 6 int32, 7 int64. */
  dataType: number;
  dims: number[];
  /** Little-endian element bytes (raw_data). */
  raw: Uint8Array;
}

export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

type Field = { field: number; wire: number; value: number; start: number; end: number };

function readVarint(b: Uint8Array, p: number): [number, number] {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (p >= b.length) throw new OnnxFormatError('The model file ends inside a number: it is truncated or not an ONNX file.');
    const x = b[p++]!;
    result += (x & 0x7f) * mul;
    if (!(x & 0x80)) return [result, p];
    mul *= 128;
  }
  throw new OnnxFormatError('A number in the model file is too long: not an ONNX file.');
}

function* fields(b: Uint8Array, start: number, end: number): Generator<Field> {
  let p = start;
  while (p < end) {
    const [key, q] = readVarint(b, p);
    p = q;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      const [v, q2] = readVarint(b, p);
      yield { field, wire, value: v, start: p, end: q2 };
      p = q2;
    } else if (wire === 2) {
      const [len, q2] = readVarint(b, p);
      if (q2 + len > end) throw new OnnxFormatError('A field runs past the end of the model file: it is truncated.');
      yield { field, wire, value: len, start: q2, end: q2 + len };
      p = q2 + len;
    } else if (wire === 5) {
      yield { field, wire, value: 0, start: p, end: p + 4 };
      p += 4;
    } else if (wire === 1) {
      yield { field, wire, value: 0, start: p, end: p + 8 };
      p += 8;
    } else {
      throw new OnnxFormatError(`Unexpected protobuf wire type ${wire}: not an ONNX file.`);
    }
  }
}

const text = new TextDecoder();

/** Every initializer of the main graph that stores its bytes inline (raw_data), by name. */
export function readOnnxInitializers(bytes: Uint8Array): Map<string, OnnxTensor> {
  const out = new Map<string, OnnxTensor>();
  let graph: Field | undefined;
  for (const f of fields(bytes, 0, bytes.length)) if (f.field === 7 && f.wire === 2) graph = f;
  if (!graph) throw new OnnxFormatError('The model file has no graph: not an ONNX model.');
  for (const f of fields(bytes, graph.start, graph.end)) {
    if (f.field !== 5 || f.wire !== 2) continue;
    let name = '';
    let dataType = 0;
    const dims: number[] = [];
    let raw: Uint8Array | undefined;
    for (const t of fields(bytes, f.start, f.end)) {
      if (t.field === 1 && t.wire === 0) dims.push(t.value);
      else if (t.field === 1 && t.wire === 2) for (let p = t.start; p < t.end; ) {
        const [v, q] = readVarint(bytes, p);
        dims.push(v);
        p = q;
      }
      else if (t.field === 2 && t.wire === 0) dataType = t.value;
      else if (t.field === 8 && t.wire === 2) name = text.decode(bytes.subarray(t.start, t.end));
      else if (t.field === 9 && t.wire === 2) raw = bytes.subarray(t.start, t.end);
    }
    if (name && raw) out.set(name, { name, dataType, dims, raw });
  }
  return out;
}
