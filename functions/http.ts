import { handle } from 'hono/aws-lambda';
import { loadEnv } from '../shared/config/env.js';
import { createDeps } from '../shared/create-deps.js';
import { createApp } from '../shared/http/create-app.js';

// Module scope = once per cold start: config parsed, keys imported, pg/Redis clients created and reused.
const { deps } = await createDeps(loadEnv());

export const handler = handle(createApp(deps));
