import bcrypt from 'bcryptjs';
import { describe, expect, it, vi } from 'vitest';
import { createPasswordHasher } from '../../../shared/adapters/crypto/password-hasher.js';

const PEPPER = 'unit-test-pepper-0123456789abcdef';
const COST = 4;
const hasher = createPasswordHasher({ pepper: PEPPER, cost: COST });

describe('createPasswordHasher', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hasher.hash('correct horse battery staple');

    expect(await hasher.verify('correct horse battery staple', hash)).toBe(true);
    expect(await hasher.verify('correct horse battery stapler', hash)).toBe(false);
  });

  it('tells apart passwords that differ only after byte 72, which plain bcryptjs cannot', async () => {
    const prefix = 'a'.repeat(72);
    const plain = await bcrypt.hash(`${prefix}X`, COST);
    const peppered = await hasher.hash(`${prefix}X`);

    expect(await bcrypt.compare(`${prefix}Y`, plain)).toBe(true);
    expect(await hasher.verify(`${prefix}Y`, peppered)).toBe(false);
    expect(await hasher.verify(`${prefix}X`, peppered)).toBe(true);
  });

  it('tells apart long multi-byte passwords that differ only in their last character', async () => {
    const prefix = '🦊'.repeat(40);
    const hash = await hasher.hash(`${prefix}a`);

    expect(await hasher.verify(`${prefix}b`, hash)).toBe(false);
  });

  it('verifies the NFD spelling of a password hashed in NFC, and vice versa', async () => {
    const nfc = 'caf\u00e9 cr\u00e8me br\u00fbl\u00e9e';
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);

    expect(await hasher.verify(nfd, await hasher.hash(nfc))).toBe(true);
    expect(await hasher.verify(nfc, await hasher.hash(nfd))).toBe(true);
  });

  it('depends on the pepper: another pepper cannot verify the hash', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    const otherPepper = createPasswordHasher({ pepper: `${PEPPER}-rotated`, cost: COST });

    expect(await otherPepper.verify('correct horse battery staple', hash)).toBe(false);
  });

  it('never stores something plain bcrypt of the password would verify', async () => {
    const hash = await hasher.hash('correct horse battery staple');

    expect(hash).not.toContain('correct');
    expect(await bcrypt.compare('correct horse battery staple', hash)).toBe(false);
  });

  it('embeds the configured cost in the hash', async () => {
    const hash = await createPasswordHasher({ pepper: PEPPER, cost: 5 }).hash('correct horse battery staple');

    expect(hash).toMatch(/^\$2[aby]\$05\$/);
    expect(bcrypt.getRounds(hash)).toBe(5);
  });

  it('salts each hash, so the same password hashes differently', async () => {
    const [first, second] = await Promise.all([hasher.hash('same password'), hasher.hash('same password')]);

    expect(first).not.toBe(second);
  });

  it('burn() resolves for every freshly built dummy hash', async () => {
    for (let i = 0; i < 20; i++) {
      await expect(
        createPasswordHasher({ pepper: PEPPER, cost: COST }).burn('anything'),
      ).resolves.toBeUndefined();
    }
  });

  it('burn() does the work of a real verify: one bcrypt comparison of the same input at the same cost', async () => {
    const costly = createPasswordHasher({ pepper: PEPPER, cost: 8 });
    const hash = await costly.hash('correct horse battery staple');
    const compare = vi.spyOn(bcrypt, 'compare');
    try {
      await costly.verify('wrong password', hash);
      await costly.burn('wrong password');

      // Counted, not timed: a timing ratio flakes on a loaded machine, a count of KDF runs does not.
      const calls = compare.mock.calls.map(([input, target]) => ({ input, target: String(target) }));
      expect(calls).toHaveLength(2);
      const [verifyCall, burnCall] = calls;
      expect(burnCall?.input).toBe(verifyCall?.input);
      for (const call of calls) {
        // A full-length hash: bcryptjs answers a malformed one at once, without running the KDF.
        expect(call.target).toHaveLength(60);
        expect(bcrypt.getRounds(call.target)).toBe(8);
      }
      await expect(compare.mock.results[1]?.value).resolves.toBe(false);
    } finally {
      compare.mockRestore();
    }
  });
});
