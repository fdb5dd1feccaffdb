import { createDeliveryAgents, deliverAttempt, type DeliveryAgents } from './deliver-attempt.ts';
import { signingSecrets } from './endpoints.ts';
import type { SendOutcome, Sender } from './sender.ts';
import { parseSecret } from './signing.ts';
import type { UrlSafetyOptions } from './url-safety.ts';

export interface HttpSenderOptions {
  safety: UrlSafetyOptions;
  /** @default 15000 */
  timeoutMs?: number;
  /** Told of each attempt (metrics). */
  observe?: (endpointId: string, outcome: SendOutcome['kind'], latencyMs: number) => void;
  now?: () => number;
}

/** Sends over HTTP(S) with hooks-kit's one attempt (signed afresh, timeout, no redirects, safe addresses). */
export function createHttpSender(options: HttpSenderOptions): Sender & { close(): void } {
  const agents: DeliveryAgents = createDeliveryAgents({ safety: options.safety });
  const now = options.now ?? Date.now;
  const send: Sender = async (endpoint, event) => {
    const secrets = signingSecrets(endpoint, now()).map(parseSecret);
    const { outcome, latencyMs } = await deliverAttempt(
      { url: endpoint.url, id: event.id, body: JSON.stringify(event), secrets },
      { safety: options.safety, agents, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), now },
    );
    const result: SendOutcome =
      outcome.kind === 'delivered'
        ? { kind: 'delivered' }
        : outcome.kind === 'gone'
          ? { kind: 'gone' }
          : outcome.kind === 'retry'
            ? { kind: 'retry', afterMs: outcome.afterMs, reason: outcome.reason }
            : { kind: 'failed', reason: outcome.reason };
    options.observe?.(endpoint.id, result.kind, latencyMs);
    return result;
  };
  return Object.assign(send, {
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
}
