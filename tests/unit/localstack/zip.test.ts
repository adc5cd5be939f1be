import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { zip } from '../../../localstack/zip.js';
import { readZip } from '../../support/zip-reader.js';

describe('zip (Lambda deployment packages)', () => {
  const entries = [
    { name: 'bundle.mjs', data: new TextEncoder().encode('export const handler = () => 1;\n'.repeat(50)) },
    { name: 'migrations/meta/_journal.json', data: new TextEncoder().encode('{"entries":[]}') },
    { name: 'migrations/empty.sql', data: new Uint8Array() },
  ];

  it('round-trips every entry, deflated, with world-readable Unix modes', () => {
    const archive = zip(entries);

    const read = readZip(archive);
    expect(read.map((e) => [e.name, e.mode.toString(8), e.data.toString()])).toEqual(
      entries.map((e) => [e.name, '100644', Buffer.from(e.data).toString()]),
    );
    expect(archive.length).toBeLessThan(entries.reduce((sum, e) => sum + e.data.length, 0));
  });

  it('is byte-for-byte reproducible (fixed timestamps), so an unchanged bundle makes the same package', () => {
    expect(crc32(zip(entries))).toBe(crc32(zip(entries)));
  });
});
