import { Worker } from 'node:worker_threads';
import type { CrossUserOutcome, FuzzOutcome } from './fuzz.ts';

/**
 * The attack and its control run in a worker thread: generating 10,000 fuzzed messages keeps a thread busy,
 * and in the runner's own thread it delayed the well-behaved clients' callbacks that scenario 10 measures
 * (the gateway under attack was the less loaded party). The worker has its own event loop, so the figure
 * is the node's, not the runner's.
 */
export type AttackJob =
  | { kind: 'legit'; url: string; messages: number; connections: number }
  | { kind: 'fuzz'; url: string; seed: number; messages: number; connections: number }
  | { kind: 'crossUser'; url: string; seed: number; attempts: number; victimId: string; victimSecret: string };

type Wire<T> = Omit<T, 'codes'> & { codes: Array<[string, number]> };
export type AttackReply =
  | { kind: 'legit'; sent: number }
  | ({ kind: 'fuzz' } & Wire<FuzzOutcome>)
  | ({ kind: 'crossUser' } & Wire<CrossUserOutcome>);

function runJob(job: AttackJob): Promise<AttackReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: job });
    worker.once('message', (message: { ok: true; reply: AttackReply } | { ok: false; error: string }) => {
      void worker.terminate();
      if (message.ok) resolve(message.reply);
      else reject(new Error(`attack worker (${job.kind}) failed: ${message.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`attack worker (${job.kind}) exited with ${code} before answering`)));
  });
}

export async function legitimateLoadInWorker(options: Omit<Extract<AttackJob, { kind: 'legit' }>, 'kind'>): Promise<number> {
  const reply = await runJob({ kind: 'legit', ...options });
  if (reply.kind !== 'legit') throw new Error('attack worker answered another job');
  return reply.sent;
}

export async function fuzzInWorker(options: Omit<Extract<AttackJob, { kind: 'fuzz' }>, 'kind'>): Promise<FuzzOutcome> {
  const reply = await runJob({ kind: 'fuzz', ...options });
  if (reply.kind !== 'fuzz') throw new Error('attack worker answered another job');
  const { kind: _kind, ...out } = reply;
  return { ...out, codes: new Map(reply.codes) };
}

export async function crossUserInWorker(options: Omit<Extract<AttackJob, { kind: 'crossUser' }>, 'kind'>): Promise<CrossUserOutcome> {
  const reply = await runJob({ kind: 'crossUser', ...options });
  if (reply.kind !== 'crossUser') throw new Error('attack worker answered another job');
  const { kind: _kind, ...out } = reply;
  return { ...out, codes: new Map(reply.codes) };
}
