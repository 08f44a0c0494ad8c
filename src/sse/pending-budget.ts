/**
 * The characters of events waiting for slow clients, summed over every
 * connection of the application, against the `maxPendingDataTotal` budget.
 */
export class PendingBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get total(): number {
    return this.used;
  }

  /** Takes `amount`; `false`, and nothing taken, when that would pass the budget. */
  take(amount: number): boolean {
    if (this.used + amount > this.limit) return false;
    this.used += amount;
    return true;
  }

  release(amount: number): void {
    this.used -= amount;
  }
}
