// One thread of Seedforge's WebAssembly BERT encoder (src/lib/embed/encoder/encoderPool.ts starts it).
import * as Comlink from 'comlink';
import { createEncoderThreadApi } from '../src/lib/embed/encoder/encoderThread';

Comlink.expose(createEncoderThreadApi());
