/** The explanation server's history survives a restart; a job interrupted by one resumes to the same map. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createExplanationServer } from '../src/server/explanations/app.js';
import { tempDir } from './helpers/files.js';
import { postJob, waitFor } from './helpers/server.js';

test('history and results survive a restart', async () => {
  const dataDir = tempDir();
  const first = await createExplanationServer({ dataDir });
  const id = (await postJob(first.app, { example: 'kitten_224.png', method: 'vanilla', queries: 80, seed: 2 })).json().id;
  const done = await waitFor(first.app, id);
  assert.equal(done.status, 'done');
  const overlay = (await first.app.inject({ method: 'GET', url: done.files.overlay })).rawPayload;
  await first.close();
  assert.ok(existsSync(join(dataDir, 'jobs.sqlite')));

  const second = await createExplanationServer({ dataDir });
  try {
    const { jobs } = (await second.app.inject({ method: 'GET', url: '/v1/explanations' })).json();
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].id, id);
    assert.equal(jobs[0].status, 'done');
    assert.deepEqual(jobs[0].params, done.params);
    assert.deepEqual(jobs[0].result, done.result);
    assert.deepEqual((await second.app.inject({ method: 'GET', url: done.files.overlay })).rawPayload, overlay);
  } finally {
    await second.close();
  }
});

test('a job interrupted by a restart is marked, resumes from its last round, and ends with the uninterrupted map', async () => {
  const dataDir = tempDir();
  const fields = { example: 'fish.png', method: 'vanilla', gradient: 'blockwise', queries: 400, rounds: 4, seed: 5 };
  const first = await createExplanationServer({ dataDir });
  const id = (await postJob(first.app, fields)).json().id;
  await waitFor(first.app, id, (j) => j.rounds.done >= 1);
  await first.close(); // stops the job between queries, like a shutdown

  const second = await createExplanationServer({ dataDir });
  try {
    const { app } = second;
    const interrupted = (await app.inject({ method: 'GET', url: `/v1/explanations/${id}` })).json();
    assert.equal(interrupted.status, 'interrupted');
    assert.ok(interrupted.rounds.done >= 1 && interrupted.rounds.done < 4, `rounds done ${interrupted.rounds.done}`);
    const progress: number[] = [];
    second.jobs.subscribe(id, (e) => e.type === 'progress' && progress.push(e.queries.done));
    const resumed = await app.inject({ method: 'POST', url: `/v1/explanations/${id}/resume` });
    assert.equal(resumed.statusCode, 202);
    assert.equal(resumed.json().status, 'queued');
    const done = await waitFor(app, id);
    assert.equal(done.status, 'done', done.error);
    assert.equal(done.result!.queries, 400);
    assert.ok(progress[0]! > 100 * interrupted.rounds.done, `resumed after the finished rounds (first progress at ${progress[0]} queries)`);

    const fresh = await waitFor(app, (await postJob(app, fields)).json().id);
    const mapOf = async (job: { files: { map: string } }) => (await app.inject({ method: 'GET', url: job.files.map })).rawPayload;
    assert.deepEqual(await mapOf(done), await mapOf(fresh), 'resumed map is byte-identical to an uninterrupted run');
  } finally {
    await second.close();
  }
});

test('a job left running by a crash (no clean shutdown) is interrupted on the next start', async () => {
  const dataDir = tempDir();
  const first = await createExplanationServer({ dataDir });
  const id = (await postJob(first.app, { example: 'fish.png', method: 'vanilla', queries: 3000, rounds: 30 })).json().id;
  await waitFor(first.app, id, (j) => j.rounds.done >= 1);
  // Open a second server on the same data while the first still runs the job: it sees the job as the database left it.
  const second = await createExplanationServer({ dataDir });
  try {
    const job = (await second.app.inject({ method: 'GET', url: `/v1/explanations/${id}` })).json();
    assert.equal(job.status, 'interrupted');
  } finally {
    await second.close();
    await first.close();
  }
});
