export interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
  action?: { label: string; run: () => void | Promise<void> };
}

/** Short messages at the bottom of the screen, some with an action (Undo). */
export class Toasts {
  #list = $state.raw<Toast[]>([]);
  #next = 1;

  get list(): Toast[] {
    return this.#list;
  }

  show(text: string, opts: { kind?: Toast['kind']; action?: Toast['action']; ms?: number } = {}): number {
    const id = this.#next++;
    this.#list = [...this.#list, { id, text, kind: opts.kind ?? 'info', action: opts.action }];
    setTimeout(() => this.dismiss(id), opts.ms ?? (opts.kind === 'error' ? 12_000 : 8_000));
    return id;
  }

  dismiss(id: number): void {
    this.#list = this.#list.filter((t) => t.id !== id);
  }
}
