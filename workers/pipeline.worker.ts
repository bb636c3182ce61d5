import * as Comlink from 'comlink';
import { installErrorTransfer } from '../src/lib/engines/errors';
import { createRunnerApi } from '../src/lib/runner/runnerApi';

installErrorTransfer();
Comlink.expose(createRunnerApi());
