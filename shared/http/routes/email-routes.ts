import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { resendVerification, verifyEmail } from '../../domain/auth/email-verification.js';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import { cookieNames } from '../cookies.js';
import { authenticate } from '../middleware/authenticate.js';
import { jsonContent, problems, VerifyEmailBody } from '../schemas.js';

const verify = createRoute({
  method: 'post',
  path: '/auth/email/verify',
  operationId: 'verifyEmail',
  summary: 'Confirm your email address with the mailed token',
  security: [],
  tags: ['auth'],
  description:
    'The token from the link mailed at registration (or by resend). Single use, valid 24 hours by default; ' +
    'a used, expired or unknown token is 400 invalid_token. Needs no session: the link may be opened in ' +
    'another browser.',
  request: { body: { required: true, ...jsonContent(VerifyEmailBody, 'The mailed token') } },
  responses: {
    204: { description: 'Verified' },
    ...problems(400, 403, 413, 415, 503),
  },
});

const resend = createRoute({
  method: 'post',
  path: '/auth/email/verify/resend',
  operationId: 'resendVerification',
  summary: 'Mail a fresh verification link',
  tags: ['auth'],
  security: [{ bearer: [] }, { cookie: [] }] as Record<string, string[]>[],
  description:
    'Throttled per user (429 + Retry-After). An already verified address also answers 202 and gets no mail. ' +
    'Earlier links keep working until they expire.',
  responses: {
    202: { description: 'Accepted: a mail is on its way unless the address is already verified' },
    ...problems(401, 403, 429, 503),
  },
});

/** Email verification: redeem a mailed token, and ask for another mail. */
export function emailRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(verify, async (c) => {
    await verifyEmail(deps, c.req.valid('json'));
    return c.body(null, 204);
  });

  app.use(resend.path, authenticate({ ...deps, accessCookie: cookieNames(deps.http.cookieSecure).access }));
  app.openapi(resend, async (c) => {
    await resendVerification(deps, c.get('auth').userId);
    return c.body(null, 202);
  });

  return app;
}
