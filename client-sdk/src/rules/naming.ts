/**
 * The hash tag of a user: `{u:<id>}`. Every Redis key of the user and the user's socket.io room carry it,
 * so on a Redis Cluster the room's sharded channel lives in the slot of the user's keys and the mutation
 * script can SPUBLISH to it. Both must build it here.
 */
export function userTag(userId: string): string {
  return `{u:${userId}}`;
}
