import { handle } from 'hono/aws-lambda';
import { createDeps } from '../shared/composition/http-deps.js';
import { httpView, withLogContext } from '../shared/composition/log-context.js';
import { createApp } from '../shared/http/create-app.js';
import { loadLinkedEnv } from './resource-env.js';

// Module scope = once per cold start: config parsed, keys imported, pg/Redis clients created and reused.
const { deps, telemetry } = await createDeps(loadLinkedEnv());
const app = handle(createApp(deps));

export const handler = withLogContext(telemetry, httpView, (event: Parameters<typeof app>[0], context) =>
  app(event, context as Parameters<typeof app>[1]),
);
