/**
 * Chat over the public API for the e2e suite: users with token sessions (one per device), WebSocket tickets,
 * and the chat HTTP routes (DESIGN.md §5). Every user is newly registered, so tests never share state; against
 * a deployed stage the chat files need a REGISTER_IP_LIMIT well above the production default.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { z } from 'zod';
import type { Assert, Equals } from '../../shared/contract/equals.js';
import type * as Wire from '../../shared/contract/wire.js';
import { type Account, loginWithTokens, registerAccount } from './e2e-accounts.js';
import { bearer, call, readJson } from './e2e-http.js';
import {
  type ChatMessage,
  ChatMessageSchema,
  connect,
  type FrameOf,
  frame,
  GroupMessageSchema,
  type WsClient,
} from './e2e-ws.js';

/** One signed-in device of a user: its own session and access token. */
export interface ChatUser {
  account: Account;
  id: string;
  displayName: string;
  accessToken: string;
  refreshToken: string;
}

const TicketSchema = z.object({ ticket: z.string().min(1), expiresAt: z.iso.datetime() });

const HistorySchema = z.object({
  messages: z.array(ChatMessageSchema),
  nextCursor: z.string().nullable(),
});
export type HistoryPage = Wire.MessagePage;

const ContactSchema = z.object({
  user: z.object({ id: z.uuid(), displayName: z.string() }),
  lastMessage: ChatMessageSchema,
  unread: z.number().int().nonnegative(),
  online: z.boolean(),
});
export type Contact = Wire.Contact;

const GroupContactSchema = z.object({
  group: z.object({ id: z.uuid(), name: z.string() }),
  lastMessage: GroupMessageSchema.nullable(),
  unread: z.number().int().nonnegative(),
  lastActivityAt: z.iso.datetime(),
});
const ContactsSchema = z.object({ contacts: z.array(ContactSchema), groups: z.array(GroupContactSchema) });
const MessageEnvelopeSchema = z.object({ message: ChatMessageSchema });
const PeopleSchema = z.object({
  users: z.array(z.object({ id: z.uuid(), displayName: z.string() }).strict()),
});

// Compile-time only: each validator accepts exactly the server's wire type.
type _WireChecks = [
  Assert<Equals<z.infer<typeof TicketSchema>, Wire.Ticket>>,
  Assert<Equals<z.infer<typeof HistorySchema>, HistoryPage>>,
  Assert<Equals<z.infer<typeof ContactSchema>, Contact>>,
  Assert<Equals<z.infer<typeof ContactsSchema>, Wire.ContactsResponse>>,
  Assert<Equals<z.infer<typeof MessageEnvelopeSchema>, Wire.MessageResponse>>,
  Assert<Equals<z.infer<typeof PeopleSchema>, Wire.PeopleResponse>>,
];

/** Unique per call and valid as a clientMsgId (`[A-Za-z0-9_-]{1,64}`). */
export const newClientMsgId = (): string => `e2e-${randomUUID()}`;

async function signIn(account: Account): Promise<ChatUser> {
  const login = await loginWithTokens(account);
  return {
    account,
    id: login.user.id,
    displayName: login.user.displayName,
    accessToken: login.accessToken,
    refreshToken: login.refreshToken,
  };
}

/** A newly registered user, signed in with tokens (first device). */
export const chatUser = async (): Promise<ChatUser> => signIn(await registerAccount());

/** `count` new users, registered in parallel. */
export const chatUsers = (count: number): Promise<ChatUser[]> =>
  Promise.all(Array.from({ length: count }, () => chatUser()));

/** The same user on another device: a second, independent session. */
export const anotherDevice = (user: ChatUser): Promise<ChatUser> => signIn(user.account);

export async function issueTicket(user: ChatUser): Promise<Wire.Ticket> {
  const res = await call('/chat/ticket', { method: 'POST', headers: bearer(user.accessToken) });
  expect(res.status, await res.clone().text()).toBe(200);
  return readJson(res, TicketSchema);
}

/** Opens a socket for this device, by single-use ticket (as a browser does) or by Bearer header. */
export async function connectAs(
  user: ChatUser,
  via: 'ticket' | 'bearer' = 'ticket',
  label = user.displayName,
): Promise<WsClient> {
  if (via === 'bearer') return connect({ bearer: user.accessToken }, label);
  return connect({ ticket: (await issueTicket(user)).ticket }, label);
}

export const sendMessageFrame = (
  client: WsClient,
  to: string,
  body: string,
  clientMsgId = newClientMsgId(),
) => client.send({ action: 'sendMessage', to, body, clientMsgId });

/** Sends over the socket and waits for the ack naming this clientMsgId. */
export async function sendAndAck(
  client: WsClient,
  to: string,
  body: string,
  clientMsgId = newClientMsgId(),
  timeoutMs?: number,
): Promise<FrameOf<'ack'>> {
  sendMessageFrame(client, to, body, clientMsgId);
  return client.waitFor(
    frame('ack', (ack) => ack.clientMsgId === clientMsgId),
    timeoutMs,
  );
}

/** The message frame carrying this server id. */
export const messageWithId = (id: string) => frame('message', (pushed) => pushed.message.id === id);

const postMessage = (user: ChatUser, peerId: string, body: string, clientMsgId = newClientMsgId()) =>
  call(`/chat/conversations/${peerId}/messages`, {
    json: { body, clientMsgId },
    headers: bearer(user.accessToken),
  });

/** POST a message over HTTP expecting `status` (201 new, 200 already stored); returns the stored message. */
export async function postMessageOk(
  user: ChatUser,
  peerId: string,
  body: string,
  clientMsgId = newClientMsgId(),
  status: 200 | 201 = 201,
): Promise<ChatMessage> {
  const res = await postMessage(user, peerId, body, clientMsgId);
  expect(res.status, await res.clone().text()).toBe(status);
  return (await readJson(res, MessageEnvelopeSchema)).message;
}

export async function historyPage(
  user: ChatUser,
  peerId: string,
  query: { before?: string; limit?: number } = {},
): Promise<HistoryPage> {
  const params = new URLSearchParams();
  if (query.before !== undefined) params.set('before', query.before);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  const suffix = params.size > 0 ? `?${params}` : '';
  const res = await call(`/chat/conversations/${peerId}/messages${suffix}`, {
    headers: bearer(user.accessToken),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return readJson(res, HistorySchema);
}

/** Walks the whole conversation page by page (newest first); returns the messages and the page sizes. */
export async function fullHistory(
  user: ChatUser,
  peerId: string,
  limit = 100,
): Promise<{ messages: ChatMessage[]; pageSizes: number[] }> {
  const messages: ChatMessage[] = [];
  const pageSizes: number[] = [];
  let before: string | undefined;
  for (let pages = 0; pages < 1_000; pages++) {
    const page = await historyPage(user, peerId, { before, limit });
    messages.push(...page.messages);
    pageSizes.push(page.messages.length);
    if (page.nextCursor === null) return { messages, pageSizes };
    before = page.nextCursor;
  }
  throw new Error('history did not end within 1,000 pages');
}

export async function contactsOf(user: ChatUser): Promise<Contact[]> {
  const res = await call('/chat/contacts', { headers: bearer(user.accessToken) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await readJson(res, ContactsSchema)).contacts;
}

export async function contactOf(user: ChatUser, peerId: string): Promise<Contact | undefined> {
  return (await contactsOf(user)).find((contact) => contact.user.id === peerId);
}

export const markReadOverHttp = (user: ChatUser, peerId: string, upTo: string) =>
  call(`/chat/conversations/${peerId}/read`, { json: { upTo }, headers: bearer(user.accessToken) });

export async function searchPeople(user: ChatUser, query: string) {
  const res = await call(`/users?query=${encodeURIComponent(query)}`, { headers: bearer(user.accessToken) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await readJson(res, PeopleSchema)).users;
}

/** Compares two message ids (`<ms>-<seq>`) the way the server orders them: negative when a is older. */
export function compareIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split('-').map(BigInt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  if (aSeq !== bSeq) return aSeq < bSeq ? -1 : 1;
  return 0;
}
