/** How long a merge marker is kept: a repeat of the same merge within it changes nothing (both engines). */
export const MERGE_MARKER_MS = 7 * 86_400_000;
/** Most markers one user keeps (the oldest go first). */
export const MERGE_MARKERS_MAX = 64;
