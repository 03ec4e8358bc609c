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

  /** Takes `bytes`; false (and `who` is told when there is room) when they do not fit. `force` takes them anyway. */
  reserve(bytes: number, who?: BudgetWaiter, force = false): boolean {
    if (!force && this.#used + bytes > this.max) {
      this.refuse(who);
      return false;
    }
    this.#used += bytes;
    return true;
  }

  /** Records a refusal made without calling `reserve` (the budget was already `full`). */
  refuse(who?: BudgetWaiter): void {
    this.#refused = true;
    if (who) this.#waiting.add(who);
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
