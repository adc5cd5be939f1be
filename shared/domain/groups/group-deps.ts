import type { RealtimeDeps } from '../realtime/realtime-deps.js';

/** What the group use cases need: the realtime ports, the group store (`groups`) among them. */
export type GroupDeps = RealtimeDeps;
