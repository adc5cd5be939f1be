import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
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

  it('burn() takes about as long as a real verify at the same cost', async () => {
    const timed = createPasswordHasher({ pepper: PEPPER, cost: 8 });
    const hash = await timed.hash('correct horse battery staple');
    const elapsed = async (run: () => Promise<unknown>): Promise<number> => {
      const start = performance.now();
      await run();
      return performance.now() - start;
    };
    const verifyTimes: number[] = [];
    const burnTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      verifyTimes.push(await elapsed(() => timed.verify('wrong password', hash)));
      burnTimes.push(await elapsed(() => timed.burn('wrong password')));
    }
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[2] ?? Number.NaN;

    const ratio = median(burnTimes) / median(verifyTimes);

    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
