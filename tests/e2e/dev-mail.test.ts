import { describe, expect, it } from 'vitest';
import { capturedMail, latestMailTo, mailUrl } from '../support/e2e-mail.js';

// Issue 12: `npm start` captures mail and shows it at /_dev/mail; only the local system has it.
describe.runIf(mailUrl())('captured mail under npm start', () => {
  it('GET /_dev/mail answers {messages} as JSON', async () => {
    const res = await fetch(`${mailUrl()}/_dev/mail`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ messages: expect.any(Array) });
    expect(Array.isArray(await capturedMail())).toBe(true);
  });

  it('shows a page listing the mail to a browser', async () => {
    for (const [path, accept] of [
      ['/_dev/mail', 'text/html,application/xhtml+xml,*/*;q=0.8'],
      ['/_dev/mail/view', '*/*'],
    ] as const) {
      const res = await fetch(`${mailUrl()}${path}`, { headers: { accept } });

      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await res.text()).toContain('<h1>Captured mail</h1>');
    }
  });

  it('latestMailTo gives up with a clear error when nothing arrives', async () => {
    await expect(latestMailTo(`nobody-${Date.now()}@example.com`, { timeoutMs: 300 })).rejects.toThrow(
      /Timed out after 300 ms waiting for a mail to nobody-/,
    );
  });
});
