import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { AppError } from '../domain/errors.js';
import type { AppDeps } from './app-deps.js';
import type { AppEnv } from './app-env.js';
import { cookieNames } from './cookies.js';
import { summarizeError } from './error-summary.js';
import { csrfGuard } from './middleware/csrf-guard.js';
import { jsonBodyOnly } from './middleware/json-body.js';
import { requestContext } from './middleware/request-context.js';
import { requestLogKeys } from './middleware/request-log-keys.js';
import { problemResponse, toAppError } from './problem.js';
import { authRoutes } from './routes/auth-routes.js';
import { chatRoutes } from './routes/chat-routes.js';
import { emailRoutes } from './routes/email-routes.js';
import { passwordResetRoutes } from './routes/password-reset-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { systemRoutes } from './routes/system-routes.js';

const validationFailed = (issues: { path: PropertyKey[]; message: string }[]): AppError =>
  new AppError('validation_failed', 'Request failed validation', {
    details: issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  });

/** The whole HTTP API as one Hono app; `functions/http.ts` wraps it for Lambda, tests call `app.request()`. */
export function createApp(deps: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return problemResponse(c, validationFailed(result.error.issues));
    },
  });

  app.use(requestContext({ hsts: deps.http.hsts }));
  app.use(requestLogKeys(deps.requestLog));
  app.use(
    cors({
      origin: (origin) => (deps.http.allowedOrigins.includes(origin) ? origin : null),
      credentials: true,
      allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Content-Type', 'Authorization'],
      exposeHeaders: ['Retry-After', 'X-Request-Id'],
      maxAge: 600,
    }),
  );
  app.use(csrfGuard(deps.http.allowedOrigins));
  app.use(jsonBodyOnly(deps.http.maxBodyBytes));

  app.route('/', systemRoutes(deps));
  app.route('/', authRoutes(deps));
  app.route('/', passwordResetRoutes(deps));
  app.route('/', emailRoutes(deps));
  app.route('/', sessionRoutes(deps));
  app.route('/', chatRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'cookie', {
    type: 'apiKey',
    in: 'cookie',
    name: cookieNames(deps.http.cookieSecure).access,
  });
  // No docs UI here: a page loading scripts on the API's origin could make cookie-carrying requests that
  // pass the CSRF check. The local emulator serves /docs from pinned assets; deployed stages have none.
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Serverless auth + chat API',
      version: '0.1.0',
      description: 'Errors are application/problem+json with a stable `code`. WebSocket protocol: README.',
    },
    // Relative: the document describes the origin that serves it (local, a stage, or behind the Router).
    servers: [{ url: '/', description: 'This origin' }],
  });

  app.notFound((c) =>
    problemResponse(c, new AppError('not_found', `No route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((error, c) => {
    const appError = toAppError(error);
    if (appError.code === 'internal_error' || appError.code === 'dependency_unavailable') {
      // Our own code and description, class names, SQLSTATEs and frames; never a library's message.
      deps.logError('request failed', {
        requestId: c.get('requestId'),
        code: appError.code,
        description: appError.message,
        error: summarizeError(error),
      });
    }
    return problemResponse(c, appError);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
