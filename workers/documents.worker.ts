import * as Comlink from 'comlink';
import { createDocumentsApi } from '../src/lib/documents/extract/api';

Comlink.expose(createDocumentsApi());
