import type { AdminConfig } from '../../config/admin.ts';
import type { Engine } from '../../engine/engine.ts';

/** What the resource routes are built from (the composition root fills it in). */
export interface AdminRouteDeps {
  engine: Engine;
  config: AdminConfig;
}
