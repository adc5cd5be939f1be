import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { requestPasswordReset } from '../../domain/auth/request-password-reset.js';
import { resetPassword } from '../../domain/auth/reset-password.js';
import type { AppDeps } from '../app-deps.js';
import type { AppEnv } from '../app-env.js';
import { requestOrigin } from '../request-origin.js';
import {
  ForgotPasswordBody,
  ForgotPasswordResponse,
  jsonContent,
  problems,
  ResetPasswordBody,
} from '../schemas.js';

/** Every `forgot` answer, whether or not the address has an account. */
const ACCEPTED = {
  message: 'If an account uses this address, a link to reset its password is on its way.',
} as const;

const forgot = createRoute({
  method: 'post',
  path: '/auth/password/forgot',
  operationId: 'requestPasswordReset',
  summary: 'Mail a password reset link',
  security: [],
  tags: ['auth'],
  description:
    'Always 202 with the same body, in the same time, whether or not the address has an account; only an ' +
    'account gets a mail, with a single-use link to the web client that works for 30 minutes (a newer link ' +
    'replaces it). Throttled per email and per source IP: 429 + Retry-After.',
  request: { body: { required: true, ...jsonContent(ForgotPasswordBody, 'The account email') } },
  responses: {
    202: jsonContent(ForgotPasswordResponse, 'Accepted (the same answer for every address)'),
    ...problems(400, 403, 413, 415, 429, 503),
  },
});

const reset = createRoute({
  method: 'post',
  path: '/auth/password/reset',
  operationId: 'resetPassword',
  summary: 'Set a new password with a mailed reset token; every session is signed out',
  security: [],
  tags: ['auth'],
  description:
    'The token works once, for 30 minutes, and only while it is the newest one mailed. The new password ' +
    'passes the registration policy (400 validation_failed; the token stays usable). A used, expired, ' +
    'replaced or unknown token is 400 invalid_token. On success every session of the user is revoked and ' +
    'every socket closed.',
  request: { body: { required: true, ...jsonContent(ResetPasswordBody, 'Token and new password') } },
  responses: {
    204: { description: 'Password replaced; every session revoked' },
    ...problems(400, 403, 413, 415, 503),
  },
});

/** Forgot and reset password: unauthenticated JSON POSTs, under the same CSRF check as login. */
export function passwordResetRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>();

  app.openapi(forgot, async (c) => {
    await requestPasswordReset(deps, c.req.valid('json'), requestOrigin(deps, c));
    return c.json(ACCEPTED, 202);
  });

  app.openapi(reset, async (c) => {
    await resetPassword(deps, c.req.valid('json'));
    return c.body(null, 204);
  });

  return app;
}
