import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { ApiClient } from '../api/client.js';
import { describeProblem } from '../api/problem.js';
import type { User } from '../api/types.js';
import { LightElement } from './light-element.js';

/** Whether the server says the address is unconfirmed (no user yet: no banner). */
const emailUnverified = (user: User | undefined): boolean => user?.emailVerified === false;

type Resend = { kind: 'idle' } | { kind: 'sending' } | { kind: 'sent' } | { kind: 'failed'; message: string };

/**
 * "Please verify your email" while the signed-in user's `emailVerified` is false, with Resend
 * (`POST /auth/email/verify/resend`, throttled: the retry hint is shown).
 */
export class VerifyBanner extends LightElement {
  static override properties = {
    api: { attribute: false },
    user: { attribute: false },
    resend: { state: true },
  };
  declare api: ApiClient | undefined;
  declare user: User | undefined;
  declare resend: Resend;

  constructor() {
    super();
    this.resend = { kind: 'idle' };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('user')) this.resend = { kind: 'idle' };
  }

  override render(): TemplateResult | typeof nothing {
    const user = this.user;
    if (!user || !emailUnverified(user)) return nothing;
    const resend = this.resend;
    return html`
      <section class="verify-banner" aria-label="Email verification">
        <p>
          Please verify your email: open the link we sent to <strong>${user.email}</strong>.
        </p>
        <p class="verify-status" role="status">${resend.kind === 'sent' ? 'We sent a new link. Check your inbox.' : ''}</p>
        ${resend.kind === 'failed' ? html`<p class="verify-error" role="alert">${resend.message}</p>` : nothing}
        <button
          class="ghost small"
          type="button"
          ?disabled=${resend.kind === 'sending'}
          @click=${() => void this.send()}
        >
          Resend
        </button>
      </section>
    `;
  }

  private async send(): Promise<void> {
    if (!this.api || this.resend.kind === 'sending') return;
    this.resend = { kind: 'sending' };
    try {
      await this.api.resendVerification();
      this.resend = { kind: 'sent' };
    } catch (error) {
      this.resend = { kind: 'failed', message: describeProblem(error) };
    }
  }
}

customElements.define('verify-banner', VerifyBanner);
