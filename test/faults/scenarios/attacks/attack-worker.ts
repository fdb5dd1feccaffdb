import { parentPort, workerData } from 'node:worker_threads';
import { createRng } from '../../harness/rng.ts';
import { crossUser, fuzz, legitimateLoad } from './fuzz.ts';
import type { AttackJob, AttackReply } from './in-worker.ts';

/** Runs one load or attack job (see in-worker.ts) and posts its outcome, Maps as entry lists. */
async function run(job: AttackJob): Promise<AttackReply> {
  switch (job.kind) {
    case 'legit':
      return { kind: 'legit', sent: await legitimateLoad(job) };
    case 'fuzz': {
      const out = await fuzz({ ...job, rng: createRng(job.seed) });
      return { kind: 'fuzz', ...out, codes: [...out.codes] };
    }
    case 'crossUser': {
      const out = await crossUser({ ...job, rng: createRng(job.seed) });
      return { kind: 'crossUser', ...out, codes: [...out.codes] };
    }
  }
}

run(workerData as AttackJob).then(
  (reply) => parentPort?.postMessage({ ok: true, reply }),
  (err: unknown) => parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
);
