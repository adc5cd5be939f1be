import { Hono } from 'hono';
import type { Problem } from '../../../shared/contract/wire.js';
import type { AppEnv } from '../../../shared/http/app-env.js';
import { requestContext } from '../../../shared/http/middleware/request-context.js';
import { problemResponse, toAppError } from '../../../shared/http/problem.js';

/** A minimal in-process app with the production error rendering, for exercising one piece at a time. */
export function tinyApp(configure: (app: Hono<AppEnv>) => void): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestContext());
  configure(app);
  app.onError((error, c) => problemResponse(c, toAppError(error)));
  return app;
}

export const problemOf = async (res: Response): Promise<Problem> => (await res.json()) as Problem;
