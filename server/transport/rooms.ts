/**
 * The room of a user's sockets. The sharded adapter takes any 20-character room name for a socket id
 * and sends it on the shared channel (every node receives it), so a 20-character name gets a pad.
 */
export function userRoom(userId: string): string {
  const room = `u:${userId}`;
  return room.length === 20 ? `${room}~` : room;
}
