import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { listSessions, revokeSession } from '../../domain/auth/manage-sessions.js';
import type { AppDeps } from '../app-deps.js';
import { userView } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import { clearSessionCookies, cookieNames } from '../cookies.js';
import { authenticate } from '../middleware/authenticate.js';
import { jsonContent, problems, SessionsResponse, UserResponse } from '../schemas.js';

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

/** Session listing/revocation and `GET /me`; all authenticated. */
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

  return app;
}
