import { html, type PropertyValues, type TemplateResult } from 'lit';
import type { ApiClient } from '../api/client.js';
import { describeProblem, hasCode } from '../api/problem.js';
import { authCard } from './auth-card.js';
import { LightElement } from './light-element.js';

type Outcome =
  | { kind: 'verifying' }
  | { kind: 'verified' }
  | { kind: 'invalid' }
  | { kind: 'failed'; message: string };

/**
 * The mailed confirmation link (`#/verify-email?token=…`): calls `POST /auth/email/verify` once per token and
 * shows the outcome. "Continue" emits `verify-done` (detail: whether the address is now confirmed).
 */
export class VerifyEmailScreen extends LightElement {
  static override properties = {
    api: { attribute: false },
    token: {},
    outcome: { state: true },
  };
  declare api: ApiClient | undefined;
  declare token: string;
  declare outcome: Outcome;
  private verifiedToken: string | undefined;

  constructor() {
    super();
    this.token = '';
    this.outcome = { kind: 'verifying' };
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('token') && this.token !== this.verifiedToken) void this.verify();
  }

  override render(): TemplateResult {
    return authCard('verify-title', 'Confirm your email address', this.renderOutcome());
  }

  private renderOutcome(): TemplateResult {
    const outcome = this.outcome;
    const next = html`<button class="primary wide" type="button" @click=${this.continue}>Continue</button>`;
    switch (outcome.kind) {
      case 'verifying':
        return html`<p class="muted" role="status"><span class="spinner inline" aria-hidden="true"></span> Confirming your email address…</p>`;
      case 'verified':
        return html`<p class="notice" role="status">Your email address is confirmed. Thank you!</p>
          ${next}`;
      case 'invalid':
        return html`<p class="form-error" role="alert">This link is invalid or was already used.</p>
          <p class="muted intro">
            Links work once, for a limited time. Sign in and choose Resend in the banner to get a new one.
          </p>
          ${next}`;
      case 'failed':
        return html`<p class="form-error" role="alert">${outcome.message}</p>
          <div class="button-row">
            <button class="primary" type="button" @click=${() => void this.verify()}>Try again</button>
            <button class="ghost" type="button" @click=${this.continue}>Continue</button>
          </div>`;
    }
  }

  private async verify(): Promise<void> {
    const api = this.api;
    const token = this.token;
    if (!api) return;
    this.verifiedToken = token;
    this.outcome = { kind: 'verifying' };
    if (!token) {
      this.outcome = { kind: 'invalid' };
      return;
    }
    try {
      await api.verifyEmail(token);
      if (token === this.token) this.outcome = { kind: 'verified' };
    } catch (error) {
      if (token !== this.token) return;
      // A malformed token (validation_failed) is just as unusable as an unknown one.
      this.outcome =
        hasCode(error, 'invalid_token') || hasCode(error, 'validation_failed')
          ? { kind: 'invalid' }
          : { kind: 'failed', message: describeProblem(error) };
    }
  }

  private readonly continue = (): void => {
    this.emit('verify-done', this.outcome.kind === 'verified');
  };
}

customElements.define('verify-email-screen', VerifyEmailScreen);
