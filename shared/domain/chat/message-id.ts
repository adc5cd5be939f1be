/**
 * Message ids are Redis stream ids, `<ms>-<seq>`: ms is the server's clock when the message was stored and
 * seq orders messages stored in the same millisecond of one conversation.
 */
export interface MessageIdParts {
  ms: number;
  seq: number;
}

const MESSAGE_ID = /^(\d{1,16})-(\d{1,19})$/;
/** Seqs share the three low decimal digits of a score (see `messageIdScore`). */
const SEQ_SLOTS = 1000;
/** The largest ms whose score is still an exact double (2^53), about the year 2255. */
const MAX_SCORED_MS = Math.floor(Number.MAX_SAFE_INTEGER / SEQ_SLOTS) - 1;

/** The two numbers of a message id, or null when the value is not one. */
export function parseMessageId(value: string): MessageIdParts | null {
  const match = MESSAGE_ID.exec(value);
  if (!match) return null;
  const ms = Number(match[1]);
  const seq = Number(match[2]);
  if (ms > MAX_SCORED_MS) return null;
  return { ms, seq };
}

export const isMessageId = (value: string): boolean => parseMessageId(value) !== null;

/** Orders two valid message ids like the stream does: negative when a is older. */
export function compareMessageIds(a: string, b: string): number {
  const left = parseMessageId(a);
  const right = parseMessageId(b);
  if (!left || !right) throw new Error('compareMessageIds needs two message ids');
  return left.ms - right.ms || left.seq - right.seq;
}

/**
 * A sorted-set score that preserves message order: ms * 1000 + min(seq, 999). Exact in a double until about
 * the year 2255. Assumes fewer than 1,000 messages per millisecond in one conversation: messages from the
 * 1,000th on share a score, so reading any of them marks all of them read.
 */
export function messageIdScore(id: string): number {
  const parts = parseMessageId(id);
  if (!parts) throw new Error('messageIdScore needs a message id');
  return parts.ms * SEQ_SLOTS + Math.min(parts.seq, SEQ_SLOTS - 1);
}

/** When the server stored the message, as an ISO timestamp (the stream id carries it). */
export function sentAtOf(id: string): string {
  const parts = parseMessageId(id);
  if (!parts) throw new Error('sentAtOf needs a message id');
  return new Date(parts.ms).toISOString();
}
