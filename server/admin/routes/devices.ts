import { defineRoute, type Route } from '../route.ts';
import { ApiError } from '../problem.ts';
import type { AdminRouteDeps } from './deps.ts';
import { DeviceParams, DevicesList, UserParams, WriteResult } from './schemas.ts';
import { runWrite } from './write.ts';

/** A user's devices: list, sign one out (and off the list), sign every one out. */
export function deviceRoutes(deps: AdminRouteDeps): Route[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/v1/users/{userId}/devices',
      scope: 'read',
      operationId: 'listDevices',
      summary: "The user's devices, online or not",
      tag: 'devices',
      params: UserParams,
      response: DevicesList,
      errors: [404],
      async handle({ params }) {
        const user = await deps.engine.backend.readUser(params.userId);
        if (!user) throw new ApiError(404, 'not_found', `nothing is stored for user ${params.userId}`);
        return { body: { userId: params.userId, epoch: user.epoch, version: user.version, devices: user.devices }, etag: user };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/v1/users/{userId}/devices/{deviceId}',
      scope: 'write',
      operationId: 'removeDevice',
      summary: 'Signs the device out (its tokens issued before now are refused) and removes it from the list',
      tag: 'devices',
      params: DeviceParams,
      response: WriteResult,
      errors: [404],
      handle: (ctx) => runWrite(deps, ctx, ctx.params.userId, [{ type: 'device:remove', deviceId: ctx.params.deviceId }]),
    }),
    defineRoute({
      method: 'POST',
      path: '/v1/users/{userId}/sign-out',
      scope: 'write',
      operationId: 'signOutEverywhere',
      summary: 'Signs every device of the user out (tokens issued before now are refused)',
      tag: 'devices',
      params: UserParams,
      response: WriteResult,
      handle: (ctx) => runWrite(deps, ctx, ctx.params.userId, [{ type: 'sign-out' }]),
    }),
  ];
}
