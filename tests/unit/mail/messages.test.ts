import { describe, expect, it } from 'vitest';
import {
  emailVerificationMail,
  escapeHtml,
  MAIL_LINK_ROUTES,
  mailLink,
  passwordResetMail,
} from '../../../shared/domain/mail/messages.js';

const linkIn = (text: string): string => /https?:\/\/\S+/.exec(text)?.[0] ?? '';

describe('mail links', () => {
  it('percent-encodes the token so it survives any character', () => {
    const link = mailLink('https://chat.example.com', MAIL_LINK_ROUTES.resetPassword, 'a+b/c=d&e#f g');
    expect(link).toBe('https://chat.example.com/#/reset-password?token=a%2Bb%2Fc%3Dd%26e%23f%20g');
    const query = new URL(link).hash.split('?')[1] ?? '';
    expect(new URLSearchParams(query).get('token')).toBe('a+b/c=d&e#f g');
  });

  it('keeps a base path and never doubles the slash after it', () => {
    expect(mailLink('http://127.0.0.1:3000/', MAIL_LINK_ROUTES.verifyEmail, 't')).toBe(
      'http://127.0.0.1:3000/#/verify-email?token=t',
    );
    expect(mailLink('https://example.com/app/', MAIL_LINK_ROUTES.verifyEmail, 't')).toBe(
      'https://example.com/app/#/verify-email?token=t',
    );
  });

  it('drops anything after the web URL path (a stray query or fragment in the config)', () => {
    expect(mailLink('https://example.com/?x=1#y', MAIL_LINK_ROUTES.resetPassword, 't')).toBe(
      'https://example.com/#/reset-password?token=t',
    );
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });
});

describe('passwordResetMail', () => {
  const mail = passwordResetMail({
    to: 'ada@example.com',
    webUrl: 'https://chat.example.com',
    token: 'tok&en"<>',
    ttlMinutes: 30,
  });

  it('addresses the user with a reset subject and the lifetime of the link', () => {
    expect(mail.to).toBe('ada@example.com');
    expect(mail.subject).toBe('Reset your password');
    expect(mail.text).toContain('30 minutes');
  });

  it('puts the same encoded link in the text and the HTML', () => {
    const link = 'https://chat.example.com/#/reset-password?token=tok%26en%22%3C%3E';
    expect(linkIn(mail.text)).toBe(link);
    expect(mail.html).toContain(`href="${link}"`);
  });
});

describe('emailVerificationMail', () => {
  const mail = emailVerificationMail({
    to: 'eve@example.com',
    webUrl: 'http://127.0.0.1:3000',
    token: 'v-1',
    displayName: '<img src=x onerror=alert(1)> & "Eve"',
  });

  it('escapes the display name in the HTML and keeps it verbatim in the text', () => {
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Eve&quot;');
    expect(mail.text).toContain('Hello <img src=x onerror=alert(1)> & "Eve",');
  });

  it('links to the verification route of the web client', () => {
    expect(linkIn(mail.text)).toBe('http://127.0.0.1:3000/#/verify-email?token=v-1');
    expect(mail.subject).toBe('Confirm your email address');
  });
});
