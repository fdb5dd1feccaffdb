import type { OutboxEntry } from '../outbox.js';
import type { MutationAck } from '../types.js';
import { SyncClientError } from '../errors.js';

/** The promises handed out for mutations, by outbox entry (entries restored from storage have none). */
export interface Waiters {
  create(entry: OutboxEntry): Promise<MutationAck>;
  resolve(entry: OutboxEntry, ack: MutationAck): void;
  reject(entry: OutboxEntry, error: SyncClientError): boolean;
  rejectAll(error: SyncClientError): void;
}

export function createWaiters(): Waiters {
  const pending = new Map<OutboxEntry, { resolve(ack: MutationAck): void; reject(error: SyncClientError): void }>();
  return {
    create(entry) {
      return new Promise((resolve, reject) => pending.set(entry, { resolve, reject }));
    },
    resolve(entry, ack) {
      pending.get(entry)?.resolve(ack);
      pending.delete(entry);
    },
    reject(entry, error) {
      const waiter = pending.get(entry);
      pending.delete(entry);
      waiter?.reject(error);
      return waiter !== undefined;
    },
    rejectAll(error) {
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    },
  };
}
