import type { AdminConfig } from '../../config/admin.ts';
import type { DomainConfig } from '../../config/domain.ts';
import type { Engine } from '../../engine/engine.ts';
import type { BackendLive } from '../../transport/backend-live.ts';
import type { WebhookRouteDeps } from './webhooks.ts';

/** What the resource routes are built from (the composition root fills it in). */
export interface AdminRouteDeps {
  engine: Engine;
  config: AdminConfig;
  /** Pushes to the user's devices and ends their sessions on every node. */
  live: BackendLive;
  /** Checkout TTL and retention (absent in tests that do not care: 15 min, no expiry). */
  domain?: DomainConfig;
  /** Webhook endpoints and the pull feed (absent: those routes are not mounted). */
  webhooks?: WebhookRouteDeps;
}
