/**
 * The focused gradient for several classes from one run. Focused is adaptive: the cells it focuses on are
 * chosen from the survey answers of the class it explains. For top-k, the first (top) class leads: its run is
 * exactly a single-class focused run, and it records, estimate by estimate, the cell ranking it chose. Every
 * other class follows: its run draws the same survey directions (same seed) and then takes the leader's ranking
 * instead of its own, so it sends exactly the leader's queries and can replay their recorded values (replay.ts
 * checks this). Each follower keeps its own Kaczmarz estimate on those directions: its map is the projection of
 * its gradient onto the directions focused on the FIRST class, not what a focused run of its own would give.
 */
import { LrsalError } from '../core/errors.js';
import { rankCells } from './focused.js';

/** Orders the cells to focus on, given the survey's energy measurements (focused.ts rankCells). */
export type CellRanking = (density: Float64Array, visits: Float64Array, grid: number) => number[];

export interface FocusShare {
  /** For the first class: rank its own cells and remember each estimate's ranking. */
  readonly lead: CellRanking;
  /** For each other class: a fresh reader of the leader's rankings, in the order they were made. */
  follower(): CellRanking;
}

export function focusShare(): FocusShare {
  const rankings: number[][] = [];
  return {
    lead(density, visits, grid) {
      const ranking = rankCells(density, visits, grid);
      rankings.push(ranking);
      return ranking;
    },
    follower() {
      let call = 0;
      return () => {
        const ranking = rankings[call++];
        if (!ranking) throw new LrsalError('UNSUPPORTED', 'a class following the focused run asked for more estimates than the first class made');
        return ranking;
      };
    },
  };
}
