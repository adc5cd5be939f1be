import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { deleteAccount } from '../../domain/auth/delete-account.js';
import { listSessions, revokeSession } from '../../domain/auth/manage-sessions.js';
import { leaveEveryGroup } from '../../domain/groups/group-membership.js';
import type { AppDeps } from '../app-deps.js';
import { userView } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import { clearSessionCookies, cookieNames } from '../cookies.js';
import { authenticate } from '../middleware/authenticate.js';
import { requestOrigin } from '../request-origin.js';
import { DeleteAccountBody, jsonContent, problems, SessionsResponse, UserResponse } from '../schemas.js';

const security: Record<string, string[]>[] = [{ bearer: [] }, { cookie: [] }];

const list = createRoute({
  method: 'get',
  path: '/auth/sessions',
  operationId: 'listSessions',
  summary: 'List your live sessions',
  tags: ['sessions'],
  security,
  responses: {
    200: jsonContent(SessionsResponse, 'Live sessions, newest first'),
    ...problems(401, 503),
  },
});

const revoke = createRoute({
  method: 'delete',
  path: '/auth/sessions/{id}',
  operationId: 'revokeSession',
  summary: 'Revoke one of your sessions',
  tags: ['sessions'],
  security,
  request: { params: z.object({ id: z.string().uuid() }) },
  responses: { 204: { description: 'Revoked' }, ...problems(400, 401, 403, 404, 503) },
});

const me = createRoute({
  method: 'get',
  path: '/me',
  operationId: 'getMe',
  summary: 'The signed-in user',
  tags: ['users'],
  security,
  responses: {
    200: jsonContent(UserResponse, 'The signed-in user'),
    ...problems(401, 503),
  },
});

const deleteMe = createRoute({
  method: 'delete',
  path: '/me',
  operationId: 'deleteAccount',
  summary: 'Delete your account',
  tags: ['users'],
  security,
  description:
    'Re-checks the password (counted in the login throttle: 429 + Retry-After when exceeded), then revokes ' +
    'every session, closes every socket, erases the account (the email can register again) and its own ' +
    'contacts, unread and read state and blocks. Peers keep the conversations; the account shows as ' +
    '"Deleted user".',
  request: { body: { required: true, ...jsonContent(DeleteAccountBody, 'The password, once more') } },
  responses: {
    204: { description: 'Deleted; every session revoked' },
    ...problems(400, 401, 403, 413, 415, 429, 503),
  },
});

/** Session listing/revocation, `GET /me` and `DELETE /me`; all authenticated. */
export function sessionRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();
  const names = cookieNames(deps.http.cookieSecure);
  const auth = authenticate({ ...deps, accessCookie: names.access });
  app.use('/auth/sessions', auth);
  app.use('/auth/sessions/*', auth);
  app.use('/me', auth);

  app.openapi(list, async (c) => {
    const { userId, sessionId } = c.get('auth');
    const sessions = await listSessions(deps, userId, sessionId);
    return c.json(
      {
        sessions: sessions.map((session) => ({
          ...session,
          createdAt: session.createdAt.toISOString(),
          lastSeenAt: session.lastSeenAt.toISOString(),
          expiresAt: session.expiresAt.toISOString(),
        })),
      },
      200,
    );
  });

  app.openapi(revoke, async (c) => {
    const { userId, sessionId } = c.get('auth');
    const { id } = c.req.valid('param');
    await revokeSession(deps, userId, id);
    if (id === sessionId) clearSessionCookies(c, deps.http.cookieSecure);
    return c.body(null, 204);
  });

  app.openapi(me, (c) => c.json({ user: userView(c.get('auth').user) }, 200));

  app.openapi(deleteMe, async (c) => {
    const { user, sessionId } = c.get('auth');
    await deleteAccount(
      { ...deps, leaveGroups: (userId) => leaveEveryGroup(deps, userId) },
      { user, sessionId },
      c.req.valid('json'),
      requestOrigin(deps, c),
    );
    clearSessionCookies(c, deps.http.cookieSecure);
    c.header('clear-site-data', '"cookies", "storage"');
    return c.body(null, 204);
  });

  return app;
}
