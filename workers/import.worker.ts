import * as Comlink from 'comlink';
import { createImportApi } from '../src/lib/io/importApi';

Comlink.expose(createImportApi());
