/**
 * Query and cost budget of a remote model. Images are reserved before they are sent and a reservation that
 * does not fit either budget is refused, sending nothing: queries can cost money, so never overspend.
 */
import { BudgetExceededError, LrsalError } from '../../core/errors.js';

export class RemoteBudget {
  private spentQueries = 0;

  constructor(
    readonly maxQueries: number,
    readonly pricePerQuery: number,
    readonly maxCost: number,
  ) {}

  get spent(): number {
    return this.spentQueries;
  }

  get cost(): number {
    return this.estimateCost(this.spentQueries);
  }

  estimateCost(queries: number): number {
    return queries * this.pricePerQuery;
  }

  /** Reserve `count` images; throws BUDGET_EXCEEDED (reserving nothing) when either budget would be exceeded. */
  reserve(count: number): void {
    if (this.spentQueries + count > this.maxQueries) throw new BudgetExceededError(this.maxQueries, this.spentQueries, count);
    const after = this.estimateCost(this.spentQueries + count);
    if (after > this.maxCost + 1e-9) {
      throw new LrsalError(
        'BUDGET_EXCEEDED',
        `cost budget exceeded: ${count} more queries would bring the cost to ${round(after)} (${round(this.cost)} spent, budget ${round(this.maxCost)})`,
      );
    }
    this.spentQueries += count;
  }

  /** Give back reserved images that were never sent. */
  release(count: number): void {
    this.spentQueries = Math.max(0, this.spentQueries - count);
  }
}

function round(x: number): string {
  return Number(x.toFixed(6)).toString();
}
