import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { listMessages } from '../../domain/chat/list-messages.js';
import { searchPeople } from '../../domain/chat/search-people.js';
import { deliverMessage } from '../../domain/realtime/deliver-message.js';
import { issueTicket } from '../../domain/realtime/issue-ticket.js';
import { readUpTo } from '../../domain/realtime/notify-peers.js';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import { cookieNames } from '../cookies.js';
import { authenticate } from '../middleware/authenticate.js';
import {
  jsonContent,
  MarkReadBody,
  MessagePageResponse,
  MessageResponse,
  PeopleResponse,
  problems,
  SendMessageBody,
  TicketResponse,
} from '../schemas.js';
import { blockRoutes } from './block-routes.js';
import { groupRoutes } from './group-routes.js';

const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

const PeerParam = z.object({ userId: z.string().uuid() });

const routes = {
  ticket: createRoute({
    method: 'post',
    path: '/chat/ticket',
    operationId: 'issueTicket',
    summary: 'Issue a single-use WebSocket ticket',
    tags: ['chat'],
    security,
    description: 'A single-use ticket for the WebSocket handshake (`?ticket=`), valid for about 30 s.',
    responses: {
      200: jsonContent(TicketResponse, 'Ticket'),
      ...problems(401, 403, 429, 503),
    },
  }),
  people: createRoute({
    method: 'get',
    path: '/users',
    operationId: 'searchPeople',
    summary: 'Find people by whole email or name prefix',
    tags: ['chat'],
    security,
    description:
      'An email matches only as the whole address; display names match when a word starts with the query ' +
      '(case- and accent-insensitive). Emails are never shown. Throttled per user.',
    request: { query: z.object({ query: z.string().trim().min(1).max(64) }) },
    responses: {
      200: jsonContent(PeopleResponse, 'People matching the query'),
      ...problems(400, 401, 429, 503),
    },
  }),
  history: createRoute({
    method: 'get',
    path: '/chat/conversations/{userId}/messages',
    operationId: 'listMessages',
    summary: 'Read a conversation, newest first',
    tags: ['chat'],
    security,
    request: {
      params: PeerParam,
      query: z.object({
        before: z.string().max(40).optional(),
        limit: z.coerce.number().int().min(1).max(100).optional(),
      }),
    },
    responses: {
      200: jsonContent(MessagePageResponse, 'Newest first; pass nextCursor as `before` for older messages'),
      ...problems(400, 401, 503),
    },
  }),
  send: createRoute({
    method: 'post',
    path: '/chat/conversations/{userId}/messages',
    operationId: 'sendMessage',
    summary: 'Send a message',
    tags: ['chat'],
    security,
    description:
      'Same code path and pushes as the WebSocket `sendMessage` action. A repeated clientMsgId returns the original (200).',
    request: {
      params: PeerParam,
      body: { required: true, ...jsonContent(SendMessageBody, 'Message') },
    },
    responses: {
      201: jsonContent(MessageResponse, 'Stored and pushed'),
      200: jsonContent(MessageResponse, 'Already stored (same clientMsgId)'),
      ...problems(400, 401, 403, 404, 413, 415, 429, 503),
    },
  }),
  read: createRoute({
    method: 'post',
    path: '/chat/conversations/{userId}/read',
    operationId: 'markRead',
    summary: 'Mark a conversation read',
    tags: ['chat'],
    security,
    request: {
      params: PeerParam,
      body: { required: true, ...jsonContent(MarkReadBody, 'Newest message seen') },
    },
    responses: {
      204: { description: 'Marked read; a receipt is pushed to the peer' },
      ...problems(400, 401, 403, 503),
    },
  }),
};

/** Ticket, people search, history, send, read, blocks, and contacts and groups — all authenticated. */
export function chatRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const auth = authenticate({ ...deps, accessCookie: cookieNames(deps.http.cookieSecure).access });
  app.use('/chat/*', auth);
  app.use('/users', auth);
  app.route('/', blockRoutes(deps));
  app.route('/', groupRoutes(deps));

  app.openapi(routes.ticket, async (c) => {
    const { userId, sessionId } = c.get('auth');
    const { ticket, expiresAt } = await issueTicket(deps, { userId, sessionId });
    return c.json({ ticket, expiresAt: expiresAt.toISOString() }, 200);
  });

  app.openapi(routes.people, async (c) => {
    const users = await searchPeople(
      { users: deps.users, limiter: deps.limiter, searchLimit: deps.realtime.searchLimit },
      { userId: c.get('auth').userId, query: c.req.valid('query').query },
    );
    return c.json({ users }, 200);
  });

  app.openapi(routes.history, async (c) => {
    const { userId: peerId } = c.req.valid('param');
    const page = await listMessages(deps, { userId: c.get('auth').userId, peerId, ...c.req.valid('query') });
    return c.json(page, 200);
  });

  app.openapi(routes.send, async (c) => {
    const { userId: to } = c.req.valid('param');
    const { message, duplicate } = await deliverMessage(deps, {
      from: c.get('auth').userId,
      to,
      ...c.req.valid('json'),
    });
    return duplicate ? c.json({ message }, 200) : c.json({ message }, 201);
  });

  app.openapi(routes.read, async (c) => {
    const { userId: peerId } = c.req.valid('param');
    await readUpTo(deps, { userId: c.get('auth').userId, peerId, upTo: c.req.valid('json').upTo });
    return c.body(null, 204);
  });

  return app;
}
