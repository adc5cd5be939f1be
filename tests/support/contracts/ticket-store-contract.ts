import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketStore } from '../../../shared/domain/realtime/ports.js';
import type { StoreTime } from './store-time.js';

/** A TicketStore to hold to the contract, with the time its tickets expire by. */
export interface TicketStoreSubject {
  store: TicketStore;
  time: StoreTime;
  close(): Promise<void>;
}

/** Contract clauses a known implementation breaks today; they run as `it.fails`, so fixing one turns it red. */
export type TicketStoreDrift = 'expiry' | 'distinct-after-redeem';

const grant = () => ({ userId: randomUUID(), sessionId: randomUUID() });

/** Single-use WebSocket tickets, as every TicketStore must hand them out and redeem them. */
export function ticketStoreContract(
  label: string,
  open: () => Promise<TicketStoreSubject>,
  drift: readonly TicketStoreDrift[] = [],
): void {
  const clause = (name: TicketStoreDrift) => (drift.includes(name) ? it.fails : it);

  describe(`TicketStore contract: ${label}`, () => {
    let subject: TicketStoreSubject;
    let store: TicketStore;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    }, 60_000);

    afterAll(async () => {
      await subject?.close();
    });

    it('redeems a ticket once for its grant; a second redemption gives nothing', async () => {
      const issued = grant();
      const ticket = await store.issue(issued, 30);

      expect(await store.consume(ticket)).toEqual(issued);
      expect(await store.consume(ticket)).toBeNull();
    });

    it('grants exactly one of 20 concurrent redemptions of the same ticket', async () => {
      const issued = grant();
      const ticket = await store.issue(issued, 30);

      const outcomes = await Promise.all(Array.from({ length: 20 }, () => store.consume(ticket)));

      expect(outcomes.filter((outcome) => outcome !== null)).toEqual([issued]);
    });

    it('gives nothing for a ticket it never issued', async () => {
      await store.issue(grant(), 30);

      expect(await store.consume(randomBytes(32).toString('base64url'))).toBeNull();
      expect(await store.consume('')).toBeNull();
      expect(await store.consume('not a ticket')).toBeNull();
    });

    clause('distinct-after-redeem')(
      'never hands out a live ticket twice, also after earlier tickets were redeemed',
      async () => {
        const [first, second, third] = [grant(), grant(), grant()];
        const firstTicket = await store.issue(first, 30);
        const secondTicket = await store.issue(second, 30);
        await store.consume(firstTicket);

        const thirdTicket = await store.issue(third, 30);

        expect(thirdTicket).not.toBe(secondTicket);
        expect(await store.consume(secondTicket)).toEqual(second);
        expect(await store.consume(thirdTicket)).toEqual(third);
      },
    );

    clause('expiry')('refuses a ticket once its ttl has passed', async () => {
      const ticket = await store.issue(grant(), 1);
      // Read once issue() has returned: the store started the ttl no later than this.
      const issuedBy = subject.time.nowMs();

      await subject.time.passes(issuedBy + 1_000);

      expect(await store.consume(ticket)).toBeNull();
    });
  });
}
