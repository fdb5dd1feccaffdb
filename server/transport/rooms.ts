import { userTag } from '../../client-sdk/src/rules/index.ts';

/**
 * The room of a user's sockets: the user's Redis hash tag (userTag), so the room's sharded pub/sub
 * channel lives in the same Cluster slot as the user's keys and the mutation script can publish to it.
 * The sharded adapter takes any 20-character room name for a socket id and sends it on the shared
 * channel (every node receives it), so a 20-character name gets a pad.
 */
export function userRoom(userId: string): string {
  const room = userTag(userId);
  return room.length === 20 ? `${room}~` : room;
}
