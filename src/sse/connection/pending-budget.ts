/** What holds part of a {@link PendingBudget}: the queue of a client that fell behind. */
export interface BudgetHolder {
  /**
   * Gives up everything it holds, dropping its client as a slow one, to make
   * room for another; it calls `forget()` on the budget as it does.
   */
  evict(): void;
}

/**
 * The characters of events waiting for slow clients, summed over every
 * connection of the application, against the `maxPendingDataTotal` budget.
 *
 * When the budget is full, room is made by dropping the clients that have
 * been behind for the longest, not the one that asks last: that is most often
 * a client that reads and fell behind for a moment, while the budget is held
 * by clients that stopped reading long ago.
 */
export class PendingBudget {
  private used = 0;
  /** Those that hold part of the budget, in the order they began to: the first has been behind for the longest. */
  private readonly holders = new Set<BudgetHolder>();

  constructor(readonly limit: number) {}

  get total(): number {
    return this.used;
  }

  /**
   * Takes `amount` for `holder`, dropping the holders behind for longer than
   * it if that is what makes room; `false`, and nothing taken, when even that
   * would not (`holder` is then the one behind for the longest).
   */
  take(amount: number, holder: BudgetHolder): boolean {
    while (this.used + amount > this.limit) {
      const longest = this.holders.values().next().value;
      if (longest === undefined || longest === holder) return false;
      // Forgotten first, so that a holder that failed to forget itself cannot loop.
      this.holders.delete(longest);
      longest.evict();
    }
    this.used += amount;
    this.holders.add(holder);
    return true;
  }

  release(amount: number): void {
    this.used -= amount;
  }

  /** `holder` holds nothing any more (its client caught up, or left). */
  forget(holder: BudgetHolder): void {
    this.holders.delete(holder);
  }
}
