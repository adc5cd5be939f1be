import { html, nothing, type TemplateResult } from 'lit';
import type { ApiClient } from '../api/client.js';
import { ApiError, describeProblem } from '../api/problem.js';
import { HOME_HREF } from '../routes.js';
import { authCard } from './auth-card.js';
import { LightElement } from './light-element.js';

/** The same answer whether or not the address has an account (the API's 202 says nothing either). */
const FORGOT_SENT_TEXT =
  'If an account exists, we sent a link to choose a new password. Check your inbox: the link works once.';

/**
 * "Forgot password?" (`#/forgot-password`): asks for the email and calls `POST /auth/password/forgot`. The
 * answer shown never depends on whether the account exists; only a malformed address or a throttle is an error.
 */
export class ForgotPasswordScreen extends LightElement {
  static override properties = {
    api: { attribute: false },
    busy: { state: true },
    sent: { state: true },
    emailError: { state: true },
    formError: { state: true },
  };
  declare api: ApiClient | undefined;
  declare busy: boolean;
  declare sent: boolean;
  declare emailError: string;
  declare formError: string;

  constructor() {
    super();
    this.busy = false;
    this.sent = false;
    this.emailError = '';
    this.formError = '';
  }

  override render(): TemplateResult {
    return authCard(
      'forgot-title',
      'Reset your password',
      html`
        ${
          this.sent
            ? html`<p class="notice" role="status">${FORGOT_SENT_TEXT}</p>`
            : html`<p class="muted intro">Enter the email address of your account and we'll mail you a link to choose a new password.</p>`
        }
        <form novalidate @submit=${this.submit} aria-busy=${this.busy ? 'true' : 'false'}>
          <div class="field">
            <label for="forgot-email">Email</label>
            <input
              id="forgot-email"
              name="email"
              type="email"
              autocomplete="username"
              required
              aria-invalid=${this.emailError ? 'true' : 'false'}
              aria-describedby=${this.emailError ? 'forgot-email-error' : nothing}
            />
            ${this.emailError ? html`<p class="field-error" id="forgot-email-error">${this.emailError}</p>` : nothing}
          </div>
          <div class="form-error" role="alert">${this.formError}</div>
          <button class="primary wide" type="submit" ?disabled=${this.busy}>
            ${this.sent ? 'Send again' : 'Send reset link'}
          </button>
        </form>
        <p class="switch"><a class="link" href=${HOME_HREF}>Back to sign in</a></p>
      `,
    );
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const api = this.api;
    if (this.busy || !api || !(event.currentTarget instanceof HTMLFormElement)) return;
    const email = String(new FormData(event.currentTarget).get('email') ?? '').trim();
    this.busy = true;
    this.sent = false;
    this.emailError = '';
    this.formError = '';
    try {
      await api.forgotPassword(email);
      this.sent = true;
    } catch (error) {
      const fieldMessage = error instanceof ApiError ? error.fieldMessage('email') : undefined;
      if (fieldMessage) this.emailError = fieldMessage;
      else this.formError = describeProblem(error);
      await this.updateComplete;
      if (fieldMessage) this.querySelector<HTMLInputElement>('#forgot-email')?.focus();
    } finally {
      this.busy = false;
    }
  }
}

customElements.define('forgot-password-screen', ForgotPasswordScreen);
