import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { HotSpot } from '../report/types.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A window of the monotonic clock (µs, as `process.hrtime`), the part of a profile worth reading. */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** Now on the clock V8 stamps profile samples with (CLOCK_MONOTONIC), in µs. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

const IDLE = new Set(['(idle)', '(program)']);

function where(url: string, line: number, root: string): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  const shown = path.startsWith('/') ? relative(root, path) : path;
  return `${shown}:${line + 1}`;
}

/** `node_modules/<pkg>`, `node:*` internals, or our own top folder: where CPU went, coarsely. */
function packageOf(url: string, root: string): string {
  if (!url) return '(native/gc)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  const nm = path.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '?');
  }
  const rel = relative(root, path).split('/');
  return rel.length > 1 ? `${rel[0]}/${rel[1]}` : (rel[0] ?? '?');
}

/**
 * Self time per function and per package of a `--cpu-prof` profile within `window` (the whole profile
 * without one), busiest first, idle time left out.
 */
export function summarizeProfile(
  file: string,
  root: string,
  window: ProfileWindow | null,
  top = 15,
): { hotSpots: HotSpot[]; byPackage: HotSpot[]; ours: HotSpot[]; busyMs: number } {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window.fromUs || t > window.toUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const byFunction = new Map<string, HotSpot>();
  const byPackage = new Map<string, HotSpot>();
  const inclusive = new Map<string, HotSpot>();
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  let busyMs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0 || IDLE.has(node.callFrame.functionName)) continue;
    const ms = us / 1000;
    busyMs += ms;
    const name = node.callFrame.functionName || '(anonymous)';
    const at = where(node.callFrame.url, node.callFrame.lineNumber, root);
    const key = `${name} ${at}`;
    const f = byFunction.get(key) ?? { selfMs: 0, share: 0, name, where: at };
    f.selfMs += ms;
    byFunction.set(key, f);
    // Inclusive time of our own functions (server/, client-sdk/): each frame once per sample's stack.
    const counted = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)?.callFrame;
      if (!frame || !/\/(server|client-sdk)\//.test(frame.url) || frame.url.includes('node_modules')) continue;
      const fname = frame.functionName || '(anonymous)';
      const fwhere = where(frame.url, frame.lineNumber, root);
      const fkey = `${fname} ${fwhere}`;
      if (counted.has(fkey)) continue;
      counted.add(fkey);
      const entry = inclusive.get(fkey) ?? { selfMs: 0, share: 0, name: fname, where: fwhere };
      entry.selfMs += ms;
      inclusive.set(fkey, entry);
    }
    const pkg = packageOf(node.callFrame.url, root);
    const p = byPackage.get(pkg) ?? { selfMs: 0, share: 0, name: pkg, where: '' };
    p.selfMs += ms;
    byPackage.set(pkg, p);
  }
  const finish = (m: Map<string, HotSpot>) =>
    [...m.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((h) => ({ ...h, selfMs: Math.round(h.selfMs), share: busyMs > 0 ? h.selfMs / busyMs : 0 }));
  return { hotSpots: finish(byFunction), byPackage: finish(byPackage), ours: finish(inclusive), busyMs };
}
