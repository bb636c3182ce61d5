/** Where the browser tests' Hugging Face-layout server serves the tiny GGUF (tests/support/hfServerSetup.ts). */
export const TEST_REPO = 'test-org/Tiny-Stories-GGUF';
export const TEST_FILE = 'stories260K-Q8_0.gguf';
