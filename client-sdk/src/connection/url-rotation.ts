/** Which of the gateway URLs the client connects to next. */
export interface UrlRotation {
  readonly current: string;
  /**
   * Moves to a random URL other than the current one. Moving to the *next* one would send every client of a
   * drained or dead node to the same survivor (and, a drain later, all of them on to one node at once).
   */
  moveOn(): void;
}

export function createUrlRotation(urls: readonly string[], random: () => number): UrlRotation {
  let index = 0;
  return {
    get current() {
      return urls[index % urls.length] as string;
    },
    moveOn() {
      const count = urls.length;
      if (count < 2) return;
      const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
      index = (index + 1 + Math.floor(r * (count - 1))) % count;
    },
  };
}
