/**
 * The room of a user's sockets: `{u:<id>}`, the user's Redis hash tag, so the room's sharded pub/sub
 * channel lives in the same Cluster slot as the user's keys and the mutation script can publish to it.
 * The sharded adapter takes any 20-character room name for a socket id and sends it on the shared
 * channel (every node receives it), so a 20-character name gets a pad.
 */
export function userRoom(userId: string): string {
  const room = `{u:${userId}}`;
  return room.length === 20 ? `${room}~` : room;
}
