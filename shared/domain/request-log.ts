/**
 * The current invocation's log keys: the user id once authenticated, a frame's action and outcome. Every later
 * line of the invocation carries them, and they are dropped when it ends, so a warm instance never tags the
 * next request with this one's user. Never pass tokens, emails or message bodies.
 */
export interface RequestLog {
  append(keys: Record<string, string | number>): void;
}
