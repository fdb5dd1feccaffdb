import type { EndpointRecord } from './endpoints.ts';
import type { PublicEvent } from './outbox.ts';

/** What one attempt to deliver one event to one endpoint came to, as the dispatcher acts on it. */
export type SendOutcome =
  | { kind: 'delivered' }
  /** 410: the endpoint is disabled. */
  | { kind: 'gone' }
  /** Try again on the retry schedule, not before `afterMs` when the receiver asked (Retry-After). */
  | { kind: 'retry'; afterMs: number | null; reason: string }
  /** Retrying cannot help (the URL is refused): the event goes to the dead letters at once. */
  | { kind: 'failed'; reason: string };

/** Sends one event (the body is `JSON.stringify(event)`, signed with the endpoint's current secrets). */
export type Sender = (endpoint: EndpointRecord, event: PublicEvent) => Promise<SendOutcome>;
