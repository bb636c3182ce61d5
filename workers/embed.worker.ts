import * as Comlink from 'comlink';
import { createEmbedApi } from '../src/lib/embed/embedApi';

Comlink.expose(createEmbedApi());
