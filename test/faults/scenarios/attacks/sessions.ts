import { mintToken } from '../../../support/gateway-process.ts';
import { answerCode, connectProbe, mustConnect, type Probe } from '../../harness/probe.ts';
import { bar, check, type Check } from '../../harness/scenario.ts';
import { ms, pause, waitUntil } from '../../harness/stats.ts';

function whenClosed(probe: Probe): () => number | null {
  let at: number | null = null;
  probe.socket.on('disconnect', () => (at = Date.now()));
  return () => at;
}

/**
 * Revocation reaches every node within a second: signing out one device closes its connection on another
 * node; signing out everywhere closes the user's connections on all nodes; the old tokens no longer get in
 * (the auth check runs on every reconnect); a token issued afterwards does.
 */
export async function revocationAttack(urls: string[], tokens: string[]): Promise<Check[]> {
  const checks: Check[] = [];
  const devices = ['rv-a', 'rv-b', 'rv-c'];
  const minted = await Promise.all(devices.map((deviceId) => mintToken({ userId: 'revokee', deviceId })));
  tokens.push(...minted);
  const probes = await Promise.all(devices.map((deviceId, i) => mustConnect({ url: urls[i % urls.length] ?? '', userId: 'revokee', deviceId, token: minted[i] })));
  const [a, b, c] = probes;
  if (!a || !b || !c) throw new Error('three probes');
  const closed = probes.map(whenClosed);
  // The revocation mark has millisecond resolution: a token issued in the same millisecond is not revoked.
  await pause(5);
  const one = await a.request('auth:sign-out', { scope: 'device', deviceId: 'rv-c' });
  const cGone = await waitUntil(() => closed[2]?.() !== null, 3000, 10);
  checks.push(
    check('sign-out of one device closes it on another node', answerCode(one.answer) === 'ok' && cGone !== null, `${answerCode(one.answer)}, closed after ${ms(cGone)}`),
    bar('sign-out of one device: closed within 1 s', cGone !== null && cGone <= 1000, ms(cGone)),
  );
  checks.push(check('the other devices stay connected', closed[0]?.() === null && closed[1]?.() === null, `a ${closed[0]?.() === null ? 'up' : 'closed'}, b ${closed[1]?.() === null ? 'up' : 'closed'}`));
  const stale = await connectProbe({ url: urls[0] ?? '', userId: 'revokee', deviceId: 'rv-c', token: minted[2] });
  if (stale.ok) stale.probe.close();
  checks.push(check('reconnecting with the revoked device\'s old token is refused', !stale.ok && (stale.error.data as { code?: string })?.code === 'unauthorized', stale.ok ? 'accepted' : String((stale.error.data as { code?: string })?.code)));

  await pause(5);
  const all = await a.request('auth:sign-out', { scope: 'everywhere' });
  const gone = await waitUntil(() => closed[0]?.() !== null && closed[1]?.() !== null, 3000, 10);
  checks.push(
    check('sign-out everywhere closes every connection of the user on every node', answerCode(all.answer) === 'ok' && gone !== null, `${answerCode(all.answer)}, all closed after ${ms(gone)}`),
    bar('sign-out everywhere: all closed within 1 s', gone !== null && gone <= 1000, ms(gone)),
  );
  const again = await connectProbe({ url: urls[1] ?? '', userId: 'revokee', deviceId: 'rv-b', token: minted[1] });
  if (again.ok) again.probe.close();
  checks.push(check('old tokens are refused on reconnect after sign-out everywhere', !again.ok, again.ok ? 'accepted' : String((again.error.data as { code?: string })?.code)));
  await pause(5);
  const fresh = await connectProbe({ url: urls[2] ?? '', userId: 'revokee', deviceId: 'rv-b' });
  if (fresh.ok) fresh.probe.close();
  checks.push(check('a token issued after the sign-out gets in', fresh.ok, fresh.ok ? 'accepted' : String((fresh.error.data as { code?: string })?.code)));
  for (const p of probes) p.close();
  return checks;
}

/**
 * A connection whose token expires without a refresh is closed, and no write is accepted after the expiry
 * (the node's clock tolerance, 5 s, is the only grace: it exists for clock skew between issuer and node).
 */
export async function expiryAttack(url: string, tokens: string[]): Promise<{ checks: Check[]; figure: string }> {
  const exp = Math.floor(Date.now() / 1000) + 2;
  const token = await mintToken({ userId: 'expiring', deviceId: 'exp', expiresAt: exp });
  tokens.push(token);
  const probe = await mustConnect({ url, userId: 'expiring', deviceId: 'exp', token });
  const closedAt = whenClosed(probe);
  const toleranceMs = 5000;
  let lastAccepted = 0;
  let afterExpiry = 0;
  while (closedAt() === null && Date.now() < exp * 1000 + toleranceMs + 3000) {
    const out = await probe.mutate('watch:report', { videoId: 'e', positionSec: 1, durationSec: 10, at: Date.now(), kind: 'seek' }, 2000);
    const change = (out.answer as { change?: { at: number } }).change;
    if (answerCode(out.answer) === 'ok' && change) {
      lastAccepted = change.at;
      if (change.at > exp * 1000) afterExpiry += 1;
    }
    await pause(100);
  }
  probe.close();
  const closed = closedAt();
  const lateBy = lastAccepted - exp * 1000;
  const ended = probe.endings.map((e) => e.reason).join(',') || 'none';
  return {
    checks: [
      check('an expired, unrefreshed connection is closed', closed !== null, closed === null ? 'still open' : `closed ${ms(closed - exp * 1000)} after exp`),
      // The node files expiries in one-second slots swept once a second: up to 2 s after the tolerance.
      bar('expired connection closed within the 5 s clock tolerance + 2 s', closed !== null && closed <= exp * 1000 + toleranceMs + 2000, closed === null ? 'still open' : `closed ${ms(closed - exp * 1000)} after exp (session:ending ${ended})`),
      check('no write accepted after expiry + the clock tolerance', lastAccepted <= exp * 1000 + toleranceMs, `last write ${ms(lateBy)} after exp; ${afterExpiry} accepted after exp`),
    ],
    figure: `closed ${closed === null ? '-' : ms(closed - exp * 1000)} after exp, ${afterExpiry} writes accepted in the tolerance`,
  };
}
