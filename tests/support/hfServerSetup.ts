import type { TestProject } from 'vitest/node';
import { startHfServer } from './hfServer';
import { TEST_FILE, TEST_REPO } from './hfFixture';

declare module 'vitest' {
  export interface ProvidedContext {
    hfUrl: string;
  }
}


/** Starts the Hugging Face-layout server for the browser tests (serving the tiny GGUF under TEST_REPO/TEST_FILE). */
export default async function setup(project: TestProject) {
  const server = await startHfServer({ files: { [`${TEST_REPO}/${TEST_FILE}`]: new URL('../fixtures/stories260K.gguf', import.meta.url).pathname } });
  project.provide('hfUrl', server.url);
  return () => server.close();
}
