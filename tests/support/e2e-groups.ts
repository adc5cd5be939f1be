/**
 * Group conversations over the public API for the e2e suite (issue 13): the group routes and their answers,
 * checked against the wire contract like every other e2e helper.
 */
import { expect } from 'vitest';
import { z } from 'zod';
import type { Assert, Equals } from '../../shared/contract/equals.js';
import type * as Wire from '../../shared/contract/wire.js';
import { bearer, call, readJson } from './e2e-http.js';
import { frame, GroupMessageSchema, GroupSchema } from './e2e-ws.js';
import { type ChatUser, newClientMsgId } from './e2e-ws-chat.js';

const GroupEnvelopeSchema = z.object({ group: GroupSchema });
const GroupMessageEnvelopeSchema = z.object({ message: GroupMessageSchema });
const GroupPageSchema = z.object({
  messages: z.array(GroupMessageSchema),
  nextCursor: z.string().nullable(),
});
const GroupContactsSchema = z.object({
  contacts: z.array(z.unknown()),
  groups: z.array(
    z.object({
      group: z.object({ id: z.uuid(), name: z.string() }),
      lastMessage: GroupMessageSchema.nullable(),
      unread: z.number().int().nonnegative(),
      lastActivityAt: z.iso.datetime(),
    }),
  ),
});

// Compile-time only: each validator accepts exactly the server's wire type.
type _WireChecks = [
  Assert<Equals<z.infer<typeof GroupEnvelopeSchema>, Wire.GroupResponse>>,
  Assert<Equals<z.infer<typeof GroupMessageEnvelopeSchema>, Wire.GroupMessageResponse>>,
  Assert<Equals<z.infer<typeof GroupPageSchema>, Wire.GroupMessagePage>>,
];

const as = (user: ChatUser) => bearer(user.accessToken);

export const createGroupCall = (user: ChatUser, name: string, memberIds: string[]) =>
  call('/chat/groups', { json: { name, memberIds }, headers: as(user) });

/** Creates a group (201) and returns it. */
export async function createGroupOk(user: ChatUser, name: string, members: ChatUser[]): Promise<Wire.Group> {
  const res = await createGroupCall(
    user,
    name,
    members.map((member) => member.id),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return (await readJson(res, GroupEnvelopeSchema)).group;
}

export const groupCall = (user: ChatUser, groupId: string) =>
  call(`/chat/groups/${groupId}`, { headers: as(user) });

export async function readGroupOk(user: ChatUser, groupId: string): Promise<Wire.Group> {
  const res = await groupCall(user, groupId);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await readJson(res, GroupEnvelopeSchema)).group;
}

export const renameCall = (user: ChatUser, groupId: string, name: string) =>
  call(`/chat/groups/${groupId}`, { method: 'PATCH', json: { name }, headers: as(user) });

export const addMembersCall = (user: ChatUser, groupId: string, userIds: string[]) =>
  call(`/chat/groups/${groupId}/members`, { json: { userIds }, headers: as(user) });

export const removeMemberCall = (user: ChatUser, groupId: string, memberId: string) =>
  call(`/chat/groups/${groupId}/members/${memberId}`, { method: 'DELETE', headers: as(user) });

export const postGroupMessage = (
  user: ChatUser,
  groupId: string,
  body: string,
  clientMsgId = newClientMsgId(),
) => call(`/chat/groups/${groupId}/messages`, { json: { body, clientMsgId }, headers: as(user) });

/** POST a group message expecting `status` (201 new, 200 already stored); returns the stored message. */
export async function postGroupMessageOk(
  user: ChatUser,
  groupId: string,
  body: string,
  clientMsgId = newClientMsgId(),
  status: 200 | 201 = 201,
): Promise<Wire.GroupMessage> {
  const res = await postGroupMessage(user, groupId, body, clientMsgId);
  expect(res.status, await res.clone().text()).toBe(status);
  return (await readJson(res, GroupMessageEnvelopeSchema)).message;
}

export const groupHistoryCall = (
  user: ChatUser,
  groupId: string,
  query: { before?: string; limit?: number } = {},
) => {
  const params = new URLSearchParams();
  if (query.before !== undefined) params.set('before', query.before);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  const suffix = params.size > 0 ? `?${params}` : '';
  return call(`/chat/groups/${groupId}/messages${suffix}`, { headers: as(user) });
};

export async function groupHistoryOk(
  user: ChatUser,
  groupId: string,
  query: { before?: string; limit?: number } = {},
): Promise<Wire.GroupMessagePage> {
  const res = await groupHistoryCall(user, groupId, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return readJson(res, GroupPageSchema);
}

export const markGroupReadCall = (user: ChatUser, groupId: string, upTo: string) =>
  call(`/chat/groups/${groupId}/read`, { json: { upTo }, headers: as(user) });

/** The caller's group rows from `GET /chat/contacts`. */
export async function groupRowsOf(user: ChatUser): Promise<Wire.GroupContact[]> {
  const res = await call('/chat/contacts', { headers: as(user) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await readJson(res, GroupContactsSchema)).groups;
}

/** The `groupMessage` frame carrying this server id. */
export const groupMessageWithId = (id: string) => frame('groupMessage', (pushed) => pushed.message.id === id);

/** A `group` frame of this event about this group. */
export const groupEvent = (event: Wire.GroupEvent, groupId: string) =>
  frame('group', (pushed) => pushed.event === event && pushed.group.id === groupId);
