import * as Comlink from 'comlink';
import { createDedupApi } from '../src/lib/dedup/dedupApi';

Comlink.expose(createDedupApi());
