import * as z from 'zod/mini';
import type { Assert, Equals } from '../contract/equals.js';
import type * as Wire from '../contract/wire.js';
import { AppError } from '../domain/errors.js';

// Well under API Gateway's 32 KB frame; a 4,000-character message of 4-byte characters still fits.
export const MAX_FRAME_BYTES = 24 * 1024;

// Unknown keys (a forged `from`, say) are stripped: identity comes only from the connection record.
// zod/mini keeps the full zod API (≈ 460 KB) out of the WebSocket bundles.
export const ClientFrame = z.discriminatedUnion('action', [
  z.object({ action: z.literal('sendMessage'), to: z.string(), body: z.string(), clientMsgId: z.string() }),
  z.object({ action: z.literal('typing'), to: z.string() }),
  z.object({ action: z.literal('markRead'), peerId: z.string(), upTo: z.string() }),
  z.object({ action: z.literal('ping') }),
]);

// A frame naming a `groupId` is read as a group frame: one discriminator value cannot have two shapes.
const GroupClientFrame = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('sendMessage'),
    groupId: z.string(),
    body: z.string(),
    clientMsgId: z.string(),
  }),
  z.object({ action: z.literal('typing'), groupId: z.string() }),
  z.object({ action: z.literal('markRead'), groupId: z.string(), upTo: z.string() }),
]);

export type ClientFrame = Wire.ClientFrame;

// Compile-time only: the validators accept exactly the contract's client frames.
type _ClientFrameCheck = Assert<
  Equals<z.infer<typeof ClientFrame> | z.infer<typeof GroupClientFrame>, Wire.ClientFrame>
>;

const namesGroup = (raw: unknown): boolean =>
  typeof raw === 'object' && raw !== null && (raw as { groupId?: unknown }).groupId !== undefined;

/** The clientMsgId of a frame, when it has a usable one, so even a rejected send can be correlated. */
export function clientMsgIdOf(raw: unknown): string | undefined {
  const value = (raw as { clientMsgId?: unknown } | null)?.clientMsgId;
  return typeof value === 'string' && value.length <= 64 ? value : undefined;
}

const ACTIONS = ClientFrame.def.options.map((option) => option.def.shape.action.def.values[0]);

// zod/mini ships no message locale (its default text is "Invalid input"), so say what was expected here.
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union') return `action must be one of ${ACTIONS.join(', ')}`;
  if (issue.code === 'invalid_type') return `Expected ${issue.expected}`;
  return issue.message;
}

/** A frame read once: the validated frame, or the error to answer with; either way its usable clientMsgId. */
export type ParsedFrame =
  | { ok: true; frame: ClientFrame; clientMsgId?: string }
  | { ok: false; error: AppError; clientMsgId?: string };

/**
 * Size check, JSON parse and schema validation, each failure with its own error code. Never throws: the
 * caller answers a bad frame only once the socket has been authorised and counted.
 */
export function parseClientFrame(body: string): ParsedFrame {
  if (Buffer.byteLength(body, 'utf8') > MAX_FRAME_BYTES) {
    return {
      ok: false,
      error: new AppError('payload_too_large', `Frames are limited to ${MAX_FRAME_BYTES} bytes`),
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, error: new AppError('malformed_json', 'Frame is not valid JSON') };
  }
  const clientMsgId = clientMsgIdOf(raw);
  const parsed = namesGroup(raw) ? z.safeParse(GroupClientFrame, raw) : z.safeParse(ClientFrame, raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issueMessage(issue),
    }));
    return {
      ok: false,
      error: new AppError('validation_failed', 'Frame failed validation', { details }),
      clientMsgId,
    };
  }
  return { ok: true, frame: parsed.data, clientMsgId };
}
