/**
 * Path distance between noun synsets, defined as NLTK's `Synset.shortest_path_distance`: the fewest IS-A edges
 * on a path that climbs from one synset to a common ancestor and descends to the other (instance hypernyms count
 * as hypernyms). Same synset → 0. Every noun reaches `entity`, so the distance is always defined.
 *
 * Note: with multiple inheritance a zig-zag path (up, down, up, down) can be shorter; like NLTK and like the
 * usual WordNet "path" measures we do not consider those, so this is an upper bound on the undirected graph
 * distance and equal to it on tree-shaped parts of the hierarchy (almost all of it).
 */
import { perGraph, type Synset, type WordNetNouns } from './graph.js';

/** Depth maps are small (tens of entries); caching the most recent ones makes repeated targets free. */
const DEPTH_CACHE_LIMIT = 4096;

export class PathDistance {
  private readonly depthCache = new Map<number, ReadonlyMap<number, number>>();

  constructor(private readonly wordnet: WordNetNouns) {}

  /** Shortest up-then-down path length between two synsets (0 when they are the same). */
  distance(a: Synset, b: Synset): number {
    if (a.index === b.index) return 0;
    const fromA = this.ancestorDepths(a.index);
    const fromB = this.ancestorDepths(b.index);
    const [small, large] = fromA.size <= fromB.size ? [fromA, fromB] : [fromB, fromA];
    let best = Infinity;
    for (const [ancestor, depth] of small) {
      const other = large.get(ancestor);
      if (other !== undefined && depth + other < best) best = depth + other;
    }
    return best;
  }

  /** Distance from `a` to the closest of `targets` (Infinity for an empty list). */
  distanceToNearest(a: Synset, targets: Iterable<Synset>): number {
    let best = Infinity;
    for (const t of targets) {
      best = Math.min(best, this.distance(a, t));
      if (best === 0) break;
    }
    return best;
  }

  /**
   * A fast "distance to the closest of these synsets" for a fixed set (e.g. the 1000 ImageNet classes): merges
   * the set's ancestor maps once, keeping per ancestor the smallest depth, so each query walks only the queried
   * synset's ancestors. Exact, because min over targets of min over common ancestors commutes.
   */
  nearestIn(targets: Iterable<Synset>): (synset: Synset) => number {
    const closest = new Map<number, number>();
    for (const target of targets) {
      for (const [ancestor, depth] of this.ancestorDepths(target.index)) {
        const known = closest.get(ancestor);
        if (known === undefined || depth < known) closest.set(ancestor, depth);
      }
    }
    return (synset) => {
      let best = Infinity;
      for (const [ancestor, depth] of this.ancestorDepths(synset.index)) {
        const other = closest.get(ancestor);
        if (other !== undefined && depth + other < best) best = depth + other;
      }
      return best;
    };
  }

  /** Every ancestor (the synset itself included at 0) with its fewest-edges distance, by BFS up the DAG. */
  ancestorDepths(index: number): ReadonlyMap<number, number> {
    const cached = this.depthCache.get(index);
    if (cached) return cached;
    const depths = new Map<number, number>([[index, 0]]);
    let frontier = [index];
    for (let depth = 1; frontier.length > 0; depth++) {
      const next: number[] = [];
      for (const node of frontier) {
        for (const parent of this.wordnet.hypernymIndicesOf(node)) {
          if (!depths.has(parent)) {
            depths.set(parent, depth);
            next.push(parent);
          }
        }
      }
      frontier = next;
    }
    if (this.depthCache.size >= DEPTH_CACHE_LIMIT) this.depthCache.clear();
    this.depthCache.set(index, depths);
    return depths;
  }

  /** Fewest edges from the synset up to the root `entity` (NLTK's `min_depth`). */
  minDepth(synset: Synset): number {
    let min = Infinity;
    for (const [ancestor, depth] of this.ancestorDepths(synset.index)) {
      if (this.wordnet.hypernymIndicesOf(ancestor).length === 0) min = Math.min(min, depth);
    }
    return min;
  }
}

/** The shared distance calculator (and its cache) for a graph. */
export const pathDistanceFor = perGraph((wordnet) => new PathDistance(wordnet));
