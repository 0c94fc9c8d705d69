/** A remote --target must name a class as a whole, before any query is paid for (issue 11, item 10). */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { LrsalError } from '../src/core/errors.js';
import { packageRoot } from '../src/models/config.js';
import type { LabelModel } from '../src/models/remote/types.js';
import { resolveTarget } from '../src/objectives/target.js';
import { explainRemote } from '../src/explain/index.js';

const kitten = resolve(packageRoot(), 'examples', 'kitten_224.png');

/** A label model that answers "tabby" and counts the images it was asked about. */
function countingModel(): LabelModel & { asked: number } {
  const model = {
    kind: 'labels' as const,
    inputShape: { channels: 3, height: 224, width: 224 },
    asked: 0,
    async labels(_inputs: Float32Array, count: number) {
      model.asked += count;
      return Array.from({ length: count }, () => [{ label: 'tabby' }]);
    },
    stats: () => ({ sent: model.asked, cacheHits: 0, cost: 0, retries: 0, cacheErrors: 0, cacheWriteErrors: 0 }),
    async dispose() {},
  };
  return model;
}

function unknownTarget(pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof LrsalError, String(e));
    assert.equal(e.code, 'UNKNOWN_TARGET', e.message);
    assert.match(e.message, pattern);
    return true;
  };
}

test('an unknown, partly matched or empty remote target is refused before any query, with the closest names', async () => {
  const model = countingModel();
  const run = (target: string) => explainRemote(model, kitten, { target, queries: 10, method: 'vanilla' });
  await assert.rejects(run('no such class'), unknownTarget(/only "class" names a WordNet noun \("such" left over\)/));
  await assert.rejects(run('the thing on the left'), unknownTarget(/only "left" names a WordNet noun/));
  await assert.rejects(run('tabbby'), unknownTarget(/names no WordNet noun; closest: "tabby"/));
  await assert.rejects(run(''), unknownTarget(/empty target/));
  await assert.rejects(run('   '), unknownTarget(/empty target/));
  assert.equal(model.asked, 0, 'nothing was paid for');
  const ok = await run('a tabby cat');
  assert.equal(ok.target.wnid, 'n02123045');
  assert.equal(model.asked, 10);
});

test('an empty local target is an error, not the top-1 class', () => {
  const labels = [{ index: 0, name: 'tabby', wnid: 'n02123045', aliases: [] }];
  assert.throws(() => resolveTarget('', labels, 0), unknownTarget(/empty target/));
  assert.equal(resolveTarget(undefined, labels, 0).index, 0);
});
