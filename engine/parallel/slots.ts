/**
 * A queue of numbered slots (regions of the shared memory) that tasks borrow and hand back; a
 * borrower waits while every slot is in use. Both pools (scan and training) use it.
 */
export class SlotQueue {
  #free: number[] = [];
  #waiting: Array<(slot: number) => void> = [];

  /** Make slots 0..count-1 free (slot 0 is handed out first) and forget any waiters. */
  reset(count: number): void {
    this.#free = Array.from({ length: count }, (_, i) => count - 1 - i);
    this.#waiting = [];
  }

  /** True when nothing is borrowed and nobody waits. */
  idle(count: number): boolean {
    return this.#waiting.length === 0 && this.#free.length === count;
  }

  /** Borrow a slot, waiting for one to be handed back when all are in use. */
  acquire(): Promise<number> {
    const slot = this.#free.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(slot: number): void {
    const next = this.#waiting.shift();
    if (next) next(slot);
    else this.#free.push(slot);
  }
}
