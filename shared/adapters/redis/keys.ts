// The one hash-tag rule: every key of one user shares `{u:<id>}`, every key of one conversation shares
// `{c:<id>}` and every key of one group `{g:<id>}`, so a multi-key script stays in one cluster slot. Keys
// looked up alone carry no tag.
export const userTag = (userId: string): string => `{u:${userId}}`;
export const conversationTag = (conversationId: string): string => `{c:${conversationId}}`;
export const groupTag = (groupId: string): string => `{g:${groupId}}`;

export const sessionKey = (userId: string, sessionId: string): string =>
  `${userTag(userId)}:session:${sessionId}`;

/** The part of a session key before the session id; the revoke-all script appends ids to it. */
export const sessionKeyPrefix = (userId: string): string => `${userTag(userId)}:session:`;

export const sessionIndexKey = (userId: string): string => `${userTag(userId)}:sessions`;

/** Rate-limit buckets are single-key counters, so they need no tag. */
export const rateLimitKey = (bucket: string): string => `rl:${bucket}`;
