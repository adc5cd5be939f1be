/**
 * The in-memory fakes that use-case unit tests run on, held to the same port contracts as the Redis
 * adapters (tests/integration/contract/redis-adapters.test.ts), so a fake cannot drift from the product.
 */
import { connectionStoreContract } from '../../support/contracts/connection-store-contract.js';
import { groupStoreContract } from '../../support/contracts/group-store-contract.js';
import { rateLimiterContract } from '../../support/contracts/rate-limiter-contract.js';
import { resetTokenStoreContract } from '../../support/contracts/reset-token-store-contract.js';
import { sessionStoreContract } from '../../support/contracts/session-store-contract.js';
import { fakeTime } from '../../support/contracts/store-time.js';
import { ticketStoreContract } from '../../support/contracts/ticket-store-contract.js';
import { FakeClock, FakeRateLimiter, FakeSessionStore } from '../../support/fakes-auth-ports.js';
import { FakeResetTokenStore } from '../../support/fakes-password-reset.js';
import { FakeGroupStore } from '../../support/group-fakes.js';
import { FakeConnectionStore, FakeTicketStore } from '../../support/realtime-fakes.js';

const close = async (): Promise<void> => {};

sessionStoreContract('FakeSessionStore', async () => {
  const clock = new FakeClock();
  return { store: new FakeSessionStore(clock), time: fakeTime(clock), close };
});

rateLimiterContract('FakeRateLimiter', async () => {
  const clock = new FakeClock();
  return { limiter: new FakeRateLimiter(clock), time: fakeTime(clock), close };
});

ticketStoreContract('FakeTicketStore', async () => {
  const clock = new FakeClock();
  return { store: new FakeTicketStore(clock), time: fakeTime(clock), close };
});

resetTokenStoreContract('FakeResetTokenStore', async () => {
  const clock = new FakeClock();
  return { store: new FakeResetTokenStore(clock), time: fakeTime(clock), close };
});

connectionStoreContract('FakeConnectionStore', async () => {
  const clock = new FakeClock();
  const store = new FakeConnectionStore(clock);
  return {
    store,
    time: fakeTime(clock),
    openSession: async () => {},
    endSession: async (record) => {
      store.endedSessions.add(record.sessionId);
    },
    markMessaged: async (from, to) => {
      store.messaged.add(`${from}>${to}`);
    },
    close,
  };
});

groupStoreContract('FakeGroupStore', async () => {
  const store = new FakeGroupStore();
  return {
    store,
    block: async (blocker, peer) => {
      store.blocks.add(`${blocker}>${peer}`);
    },
    close,
  };
});
