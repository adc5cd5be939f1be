import type { RealtimeDeps } from '../realtime/realtime-deps.js';
import type { GroupStore } from './ports.js';

/** What the group use cases need: the realtime ports plus the group store. */
export interface GroupDeps extends RealtimeDeps {
  groups: GroupStore;
}
