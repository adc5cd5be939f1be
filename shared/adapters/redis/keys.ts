// Every key of one user shares the `{u:<id>}` hash tag, so multi-key scripts stay in one cluster slot.
export const userTag = (userId: string): string => `{u:${userId}}`;

export const sessionKey = (userId: string, sessionId: string): string =>
  `${userTag(userId)}:session:${sessionId}`;

/** The part of a session key before the session id; the revoke-all script appends ids to it. */
export const sessionKeyPrefix = (userId: string): string => `${userTag(userId)}:session:`;

export const sessionIndexKey = (userId: string): string => `${userTag(userId)}:sessions`;

/** Rate-limit buckets are single-key counters, so they need no tag. */
export const rateLimitKey = (bucket: string): string => `rl:${bucket}`;
