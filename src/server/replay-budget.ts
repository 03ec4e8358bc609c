/**
 * The replay bytes all sessions of one server may hold together (`maxTotalReplayBytes`). A refusal is remembered
 * per session, so that when the budget is back at half, every session it turned away hears `drain` once.
 */
export interface BudgetWaiter {
  /** The shared budget has room again. */
  budgetRoom(): void;
}

export class ReplayBudget {
  readonly max: number;
  #used = 0;
  readonly #waiting = new Set<BudgetWaiter>();
  readonly #onDrain: () => void;
  #refused = false;

  constructor(max: number, onDrain: () => void) {
    this.max = max;
    this.#onDrain = onDrain;
  }

  get used(): number {
    return this.#used;
  }

  /** Nothing more fits: a send can be refused before any work is done for it. */
  get full(): boolean {
    return this.#used >= this.max;
  }

  /** Takes `bytes`; false when they do not fit (the caller then `refuse`s). `force` takes them anyway. */
  reserve(bytes: number, force = false): boolean {
    if (!force && this.#used + bytes > this.max) return false;
    this.#used += bytes;
    return true;
  }

  /** `who` was turned away for lack of room: it hears `budgetRoom()` once the budget is back at half. */
  refuse(who: BudgetWaiter): void {
    this.#refused = true;
    this.#waiting.add(who);
  }

  release(bytes: number): void {
    this.#used -= bytes;
    if (!this.#refused || this.#used > this.max / 2) return;
    this.#refused = false;
    const waiting = [...this.#waiting];
    this.#waiting.clear();
    for (const w of waiting) w.budgetRoom();
    this.#onDrain();
  }

  /** A session that ends stops waiting. */
  forget(who: BudgetWaiter): void {
    this.#waiting.delete(who);
  }
}
