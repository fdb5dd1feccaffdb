import { z } from 'zod';
import { WatchRules } from '../../client-sdk/src/protocol/index.ts';

/** The resume rules' variables, for CONFIG_VARIABLES and `--help`. */
export const WATCH_CONFIG_VARIABLES: ReadonlyArray<[name: string, help: string]> = [
  ['WATCH_MIN_RESUME_PCT', 'a position below this percentage of the video is no resume point: it starts over (default 5)'],
  ['WATCH_MAX_RESUME_PCT', 'past this percentage the video counts as watched and leaves "continue watching" (default 90)'],
  ['WATCH_MIN_DURATION_SEC', 'videos shorter than this get no resume point (default 300)'],
  ['WATCH_CREDITS_SEC', 'a video with resume points this close to its end counts as watched (default 30)'],
];

type Problem = { variable: string; problem: string };
const number = (max: number) => z.coerce.number({ error: 'expected a number' }).min(0).max(max);

const WatchEnv = z.object({
  WATCH_MIN_RESUME_PCT: number(100).default(5),
  WATCH_MAX_RESUME_PCT: number(100).default(90),
  WATCH_MIN_DURATION_SEC: number(604_800).default(300),
  WATCH_CREDITS_SEC: number(604_800).default(30),
});

/** The resume rules from the (defined-only) environment; problems are returned for loadConfig to report. */
export function parseWatchConfig(env: Record<string, string | undefined>): { watch: WatchRules | null; problems: Problem[] } {
  const parsed = WatchEnv.safeParse(env);
  if (!parsed.success) {
    return { watch: null, problems: parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? 'environment'), problem: i.message })) };
  }
  const e = parsed.data;
  const rules = { minResumePct: e.WATCH_MIN_RESUME_PCT, maxResumePct: e.WATCH_MAX_RESUME_PCT, minDurationSec: e.WATCH_MIN_DURATION_SEC, creditsSec: e.WATCH_CREDITS_SEC };
  // The protocol's schema is what the SDK will check the rules against: a server must not send what it refuses.
  const checked = WatchRules.safeParse(rules);
  if (!checked.success) return { watch: null, problems: [{ variable: 'WATCH_MIN_RESUME_PCT', problem: 'must not exceed WATCH_MAX_RESUME_PCT' }] };
  return { watch: checked.data, problems: [] };
}
