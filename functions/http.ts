import { handle } from 'hono/aws-lambda';
import { createDeps } from '../shared/composition/http-deps.js';
import { createApp } from '../shared/http/create-app.js';
import { loadLinkedEnv } from './resource-env.js';

// Module scope = once per cold start: config parsed, keys imported, pg/Redis clients created and reused.
const { deps } = await createDeps(loadLinkedEnv());

export const handler = handle(createApp(deps));
