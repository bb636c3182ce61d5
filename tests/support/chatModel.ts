import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Absolute path of the real chat model's GGUF (`npm run models:chat`). */
    chatModel: string;
  }
}

/** The real chat model (TinyLlama-1.1B-Chat, Q4_K_M) as a File, fetched from the test server. */
export async function chatModelFile(): Promise<File> {
  const path = inject('chatModel');
  const resp = await fetch(`/@fs${path}`);
  if (!resp.ok) throw new Error(`the real chat model is missing at ${path} (HTTP ${resp.status}): run 'npm run models:chat' first (the test command does)`);
  return new File([await resp.blob()], 'tinyllama-1.1b-chat-q4_k_m.gguf');
}
