import * as Comlink from 'comlink';
import { installErrorTransfer } from '../src/lib/engines/errors';
import { createDownloadApi } from '../src/lib/engines/local/downloadApi';

installErrorTransfer();
Comlink.expose(createDownloadApi());
