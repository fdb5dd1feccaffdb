import { z } from 'zod';
import { LIMITS } from '../../../client-sdk/src/protocol/index.ts';
import { Epoch, UserId, Version } from '../../protocol/zod.ts';
import { StateRefusal } from '../../engine/backend.ts';
import { ApiError } from '../problem.ts';
import { defineRoute, type Route } from '../route.ts';
import type { AdminRouteDeps } from './deps.ts';
import { ChangesPage, UserExport, UserParams, UserState } from './schemas.ts';

const ChangesQuery = z.strictObject({
  epoch: Epoch.optional().describe('the epoch `since` belongs to (default: the current one)'),
  since: z.coerce.number().pipe(Version).default(0).describe('answer the changes after this version'),
  limit: z.coerce.number().int().min(1).max(LIMITS.syncBatch).default(100).describe('most changes in one page'),
});

const unknownUser = (userId: string) => new ApiError(404, 'not_found', `nothing is stored for user ${userId}`);

/** Reading a user: state, its change log page by page, everything (export); erasing it. */
export function userRoutes(deps: AdminRouteDeps): Route[] {
  const { backend } = deps.engine;
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/users/{userId}',
      scope: 'read',
      operationId: 'getUser',
      summary: "A user's cart, watch progress and devices at one version",
      tag: 'users',
      params: UserParams,
      response: UserState,
      errors: [404],
      async handle({ params }) {
        const user = await backend.readUser(params.userId);
        if (!user) throw unknownUser(params.userId);
        return { body: { userId: params.userId, ...user }, etag: user };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/users/{userId}/changes',
      scope: 'read',
      operationId: 'listChanges',
      summary: 'The changes after a version, oldest first, paged',
      tag: 'users',
      params: UserParams,
      query: ChangesQuery,
      response: ChangesPage,
      errors: [404, 410],
      async handle({ params, query }) {
        const page = await backend.readChanges(params.userId, { epoch: query.epoch ?? null, version: query.since }, query.limit);
        if (!page) throw unknownUser(params.userId);
        const tag = { epoch: page.epoch, version: page.version };
        if (page.kind === 'gone') {
          throw new StateRefusal('history_gone', 'the change log no longer reaches back to that version (or the epoch changed): read the user', tag);
        }
        const nextSince = query.since + page.changes.length;
        return {
          body: { userId: params.userId, ...tag, changes: page.changes, nextSince, hasMore: nextSince < page.version },
          etag: tag,
        };
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/v1/users/{userId}/export',
      scope: 'read',
      operationId: 'exportUser',
      summary: 'Everything stored for the user: state, change log and devices',
      tag: 'users',
      params: UserParams,
      response: UserExport,
      errors: [404],
      async handle({ params }) {
        const record = await backend.exportUser(params.userId);
        if (!record) throw unknownUser(params.userId);
        return { body: { userId: params.userId, exportedAt: new Date().toISOString(), ...record }, etag: record };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/users/{userId}',
      scope: 'write',
      operationId: 'eraseUser',
      summary: "Erases every key of the user and closes the user's sockets on every node (reason `erased`)",
      tag: 'users',
      params: UserParams,
      response: z.strictObject({ userId: UserId, erased: z.boolean().describe('false when nothing was stored') }),
      // Idempotent by nature (the key is required but cannot be remembered: it goes with the user's data).
      async handle({ params }) {
        const { erased } = await backend.erase(params.userId);
        deps.live.erased(params.userId);
        return { body: { userId: params.userId, erased } };
      },
    }),
  ];
}
