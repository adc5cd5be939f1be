import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { contactsAndGroups } from '../../domain/groups/group-contacts.js';
import { addGroupMembers, removeGroupMember } from '../../domain/groups/group-membership.js';
import { listGroupMessages, readGroupUpTo } from '../../domain/groups/group-reading.js';
import { createGroup, readGroup, renameGroup } from '../../domain/groups/manage-group.js';
import { deliverGroupMessage } from '../../domain/groups/send-group-message.js';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import {
  AddGroupMembersBody,
  ContactsResponse,
  CreateGroupBody,
  GroupMessagePageResponse,
  GroupMessageResponse,
  GroupResponse,
  jsonContent,
  MarkReadBody,
  problems,
  RenameGroupBody,
  SendMessageBody,
} from '../schemas.js';

const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];
const tags = ['groups'];
const GroupParam = z.object({ id: z.string().uuid() });
const MemberParam = z.object({ id: z.string().uuid(), userId: z.string().uuid() });
const notMember = 'Not a member (or no such group): always 404, never 403, so ids reveal nothing.';

const routes = {
  contacts: createRoute({
    method: 'get',
    path: '/chat/contacts',
    operationId: 'listContacts',
    summary: 'List people and groups by recency',
    tags: ['chat'],
    security,
    description:
      'People (`contacts`) and the groups you belong to (`groups`), each most recent first; the newest 100 of ' +
      'both together. A group row counts the messages after your read mark (your own sends move it).',
    responses: {
      200: jsonContent(ContactsResponse, 'Conversations and groups, most recent first'),
      ...problems(401, 503),
    },
  }),
  create: createRoute({
    method: 'post',
    path: '/chat/groups',
    operationId: 'createGroup',
    summary: 'Create a group',
    tags,
    security,
    description:
      'You become its admin. Name: 1–100 characters with something visible; at most 256 members with you. ' +
      'Ids that do not exist or whose owner blocked you answer 400 `invalid_members` listing them in `userIds`.',
    request: { body: { required: true, ...jsonContent(CreateGroupBody, 'Name and members') } },
    responses: {
      201: jsonContent(GroupResponse, 'Created; every member is told (`created`)'),
      ...problems(400, 401, 403, 413, 415, 503),
    },
  }),
  read: createRoute({
    method: 'get',
    path: '/chat/groups/{id}',
    operationId: 'readGroup',
    summary: 'Read a group and its members',
    tags,
    security,
    request: { params: GroupParam },
    responses: { 200: jsonContent(GroupResponse, 'The group'), ...problems(400, 401, 404, 503) },
  }),
  rename: createRoute({
    method: 'patch',
    path: '/chat/groups/{id}',
    operationId: 'renameGroup',
    summary: 'Rename a group (admins)',
    tags,
    security,
    description: `Members who are not admins get 403 \`forbidden\`. ${notMember}`,
    request: { params: GroupParam, body: { required: true, ...jsonContent(RenameGroupBody, 'New name') } },
    responses: { 200: jsonContent(GroupResponse, 'Renamed'), ...problems(400, 401, 403, 404, 413, 415, 503) },
  }),
  addMembers: createRoute({
    method: 'post',
    path: '/chat/groups/{id}/members',
    operationId: 'addGroupMembers',
    summary: 'Add members (admins)',
    tags,
    security,
    description:
      'Ids already in the group are skipped; newcomers see history from now on. Unknown ids or people who ' +
      `blocked you: 400 \`invalid_members\`. Members who are not admins: 403. ${notMember}`,
    request: {
      params: GroupParam,
      body: { required: true, ...jsonContent(AddGroupMembersBody, 'People to add') },
    },
    responses: {
      200: jsonContent(GroupResponse, 'The group with its new members'),
      ...problems(400, 401, 403, 404, 413, 415, 503),
    },
  }),
  removeMember: createRoute({
    method: 'delete',
    path: '/chat/groups/{id}/members/{userId}',
    operationId: 'removeGroupMember',
    summary: 'Remove a member, or leave',
    tags,
    security,
    description:
      'Admins remove anyone; anyone removes themself (leave). The last admin leaving promotes the ' +
      'longest-standing member; the last member leaving deletes the group. The removed member gets ' +
      `\`member_removed\` and from then on 404. ${notMember}`,
    request: { params: MemberParam },
    responses: { 204: { description: 'Removed' }, ...problems(400, 401, 403, 404, 503) },
  }),
  history: createRoute({
    method: 'get',
    path: '/chat/groups/{id}/messages',
    operationId: 'listGroupMessages',
    summary: 'Read a group, newest first',
    tags,
    security,
    description: `Only messages since your latest join. ${notMember}`,
    request: {
      params: GroupParam,
      query: z.object({
        before: z.string().max(40).optional(),
        limit: z.coerce.number().int().min(1).max(100).optional(),
      }),
    },
    responses: {
      200: jsonContent(
        GroupMessagePageResponse,
        'Newest first; pass nextCursor as `before` for older messages',
      ),
      ...problems(400, 401, 404, 503),
    },
  }),
  send: createRoute({
    method: 'post',
    path: '/chat/groups/{id}/messages',
    operationId: 'sendGroupMessage',
    summary: 'Send a message to a group',
    tags,
    security,
    description:
      'Same code path as the WebSocket `sendMessage` with `groupId`, and the same per-user message budget as ' +
      `direct messages. A repeated clientMsgId returns the original (200). ${notMember}`,
    request: { params: GroupParam, body: { required: true, ...jsonContent(SendMessageBody, 'Message') } },
    responses: {
      201: jsonContent(GroupMessageResponse, 'Stored and pushed to every member'),
      200: jsonContent(GroupMessageResponse, 'Already stored (same clientMsgId)'),
      ...problems(400, 401, 403, 404, 413, 415, 429, 503),
    },
  }),
  markRead: createRoute({
    method: 'post',
    path: '/chat/groups/{id}/read',
    operationId: 'markGroupRead',
    summary: 'Mark a group read',
    tags,
    security,
    description: `Your unread count drops to the messages after \`upTo\`; your other devices are told. ${notMember}`,
    request: {
      params: GroupParam,
      body: { required: true, ...jsonContent(MarkReadBody, 'Newest message seen') },
    },
    responses: { 204: { description: 'Marked read' }, ...problems(400, 401, 403, 404, 413, 415, 503) },
  }),
};

/** Groups and the contact list that includes them; mounted under the chat router's authentication. */
export function groupRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const caller = (c: { get(key: 'auth'): { userId: string } }) => c.get('auth').userId;

  app.openapi(routes.contacts, async (c) => c.json(await contactsAndGroups(deps, caller(c)), 200));

  app.openapi(routes.create, async (c) => {
    const group = await createGroup(deps, { userId: caller(c), ...c.req.valid('json') });
    return c.json({ group }, 201);
  });

  app.openapi(routes.read, async (c) => {
    const group = await readGroup(deps, { userId: caller(c), groupId: c.req.valid('param').id });
    return c.json({ group }, 200);
  });

  app.openapi(routes.rename, async (c) => {
    const { name } = c.req.valid('json');
    const group = await renameGroup(deps, { userId: caller(c), groupId: c.req.valid('param').id, name });
    return c.json({ group }, 200);
  });

  app.openapi(routes.addMembers, async (c) => {
    const { userIds } = c.req.valid('json');
    const group = await addGroupMembers(deps, {
      userId: caller(c),
      groupId: c.req.valid('param').id,
      userIds,
    });
    return c.json({ group }, 200);
  });

  app.openapi(routes.removeMember, async (c) => {
    const { id, userId } = c.req.valid('param');
    await removeGroupMember(deps, { userId: caller(c), groupId: id, memberId: userId });
    return c.body(null, 204);
  });

  app.openapi(routes.history, async (c) => {
    const page = await listGroupMessages(deps, {
      userId: caller(c),
      groupId: c.req.valid('param').id,
      ...c.req.valid('query'),
    });
    return c.json(page, 200);
  });

  app.openapi(routes.send, async (c) => {
    const { message, duplicate } = await deliverGroupMessage(deps, {
      from: caller(c),
      groupId: c.req.valid('param').id,
      ...c.req.valid('json'),
    });
    return duplicate ? c.json({ message }, 200) : c.json({ message }, 201);
  });

  app.openapi(routes.markRead, async (c) => {
    const { upTo } = c.req.valid('json');
    await readGroupUpTo(deps, { userId: caller(c), groupId: c.req.valid('param').id, upTo });
    return c.body(null, 204);
  });

  return app;
}
