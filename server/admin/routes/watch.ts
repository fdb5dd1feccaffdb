import { z } from 'zod';
import { roundSeconds } from '../../../client-sdk/src/rules/index.ts';
import { defineRoute, type Route } from '../route.ts';
import type { AdminRouteDeps } from './deps.ts';
import { Seconds, VideoParams, WriteResult } from './schemas.ts';
import { runWrite } from './write.ts';

const Duration = Seconds.refine((d) => d > 0, 'durationSec must be positive');
const WatchBody = z.union([
  z.strictObject({ positionSec: Seconds, durationSec: Duration }),
  z.strictObject({
    completed: z.literal(true),
    durationSec: Duration.optional().describe('needed only when the video has no progress yet'),
  }),
]);

/** Watch progress: set a position or mark watched; take a video off "continue watching" everywhere. */
export function watchRoutes(deps: AdminRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'PUT',
      path: '/v1/users/{userId}/watch/{videoId}',
      scope: 'write',
      operationId: 'setWatch',
      summary: 'Sets the position (it wins over earlier reports; the resume rules apply: WATCH_*) or marks the video watched (`completed: true`)',
      tag: 'watch',
      params: VideoParams,
      body: WatchBody,
      response: WriteResult,
      handle: (ctx) => {
        const { userId, videoId } = ctx.params;
        const body = ctx.body;
        if ('completed' in body) {
          const durationSec = body.durationSec === undefined ? {} : { durationSec: roundSeconds(body.durationSec) };
          return runWrite(deps, ctx, userId, [{ type: 'watch:complete', videoId, ...durationSec }]);
        }
        const op = { type: 'watch:set' as const, videoId, positionSec: roundSeconds(body.positionSec), durationSec: roundSeconds(body.durationSec) };
        return runWrite(deps, ctx, userId, [op]);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/users/{userId}/watch/{videoId}',
      scope: 'write',
      operationId: 'removeWatch',
      summary: 'Removes the video\'s progress: off "continue watching" on every device',
      tag: 'watch',
      params: VideoParams,
      response: WriteResult,
      handle: (ctx) => runWrite(deps, ctx, ctx.params.userId, [{ type: 'watch:remove', videoId: ctx.params.videoId }]),
    }),
  ];
}
