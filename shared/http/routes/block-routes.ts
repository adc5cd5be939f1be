import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { blockUser, listBlocks, unblockUser } from '../../domain/chat/block-user.js';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import { BlocksResponse, jsonContent, problems } from '../schemas.js';

const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];
const PeerParam = z.object({ userId: z.string().uuid() });

const routes = {
  list: createRoute({
    method: 'get',
    path: '/chat/blocks',
    operationId: 'listBlocks',
    summary: 'List the people you blocked',
    tags: ['chat'],
    security,
    responses: {
      200: jsonContent(BlocksResponse, 'People you blocked, most recent first'),
      ...problems(401, 503),
    },
  }),
  block: createRoute({
    method: 'post',
    path: '/chat/blocks/{userId}',
    operationId: 'blockUser',
    summary: 'Block a person',
    tags: ['chat'],
    security,
    description:
      'Their messages to you (and yours to them) are refused with `blocked`; the conversation leaves your contact ' +
      'list; they get no presence, typing or read receipts from you. Idempotent.',
    request: { params: PeerParam },
    responses: { 204: { description: 'Blocked' }, ...problems(400, 401, 403, 404, 503) },
  }),
  unblock: createRoute({
    method: 'delete',
    path: '/chat/blocks/{userId}',
    operationId: 'unblockUser',
    summary: 'Unblock a person',
    tags: ['chat'],
    security,
    description: 'Idempotent. The conversation returns to your contacts when someone writes again.',
    request: { params: PeerParam },
    responses: { 204: { description: 'Unblocked' }, ...problems(400, 401, 403, 503) },
  }),
};

/** Block, unblock and list blocked people; mounted by `chatRoutes`, whose `/chat/*` middleware authenticates. */
export function blockRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(routes.list, async (c) => {
    const blocks = await listBlocks(deps, c.get('auth').userId);
    return c.json(
      { blocks: blocks.map((entry) => ({ user: entry.user, blockedAt: entry.blockedAt.toISOString() })) },
      200,
    );
  });

  app.openapi(routes.block, async (c) => {
    await blockUser(deps, { userId: c.get('auth').userId, peerId: c.req.valid('param').userId });
    return c.body(null, 204);
  });

  app.openapi(routes.unblock, async (c) => {
    await unblockUser(deps, { userId: c.get('auth').userId, peerId: c.req.valid('param').userId });
    return c.body(null, 204);
  });

  return app;
}
