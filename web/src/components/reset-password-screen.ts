import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { ApiClient } from '../api/client.js';
import { ApiError, describeProblem, hasCode } from '../api/problem.js';
import { FORGOT_PASSWORD_HREF } from '../routes.js';
import { authCard } from './auth-card.js';
import { LightElement } from './light-element.js';

const INVALID_LINK_TEXT = 'This link is invalid or was already used.';

/**
 * The mailed reset link (`#/reset-password?token=…`): a new password and `POST /auth/password/reset`. On 204
 * emits `password-reset` (every session of the account has ended: the app goes back to sign-in); a used,
 * expired or unknown token (400 `invalid_token`) offers a new link instead.
 */
export class ResetPasswordScreen extends LightElement {
  static override properties = {
    api: { attribute: false },
    token: {},
    busy: { state: true },
    invalid: { state: true },
    passwordError: { state: true },
    formError: { state: true },
  };
  declare api: ApiClient | undefined;
  declare token: string;
  declare busy: boolean;
  declare invalid: boolean;
  declare passwordError: string;
  declare formError: string;

  constructor() {
    super();
    this.token = '';
    this.busy = false;
    this.invalid = false;
    this.passwordError = '';
    this.formError = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Another link opened in this tab: a fresh start.
    if (changed.has('token')) {
      this.invalid = false;
      this.passwordError = '';
      this.formError = '';
    }
  }

  override render(): TemplateResult {
    if (this.invalid || !this.token) {
      return authCard(
        'reset-title',
        'Choose a new password',
        html`
          <p class="form-error" role="alert">${INVALID_LINK_TEXT}</p>
          <p class="muted">Reset links work once, for a short time. Ask for a new one.</p>
          <p class="switch"><a class="link" href=${FORGOT_PASSWORD_HREF}>Send me a new link</a></p>
        `,
      );
    }
    const describedBy = ['reset-password-hint', this.passwordError ? 'reset-password-error' : '']
      .filter(Boolean)
      .join(' ');
    return authCard(
      'reset-title',
      'Choose a new password',
      html`
        <form novalidate @submit=${this.submit} aria-busy=${this.busy ? 'true' : 'false'}>
          <div class="field">
            <label for="reset-password">New password</label>
            <input
              id="reset-password"
              name="newPassword"
              type="password"
              autocomplete="new-password"
              required
              aria-invalid=${this.passwordError ? 'true' : 'false'}
              aria-describedby=${describedBy}
            />
            <p class="hint" id="reset-password-hint">At least 8 characters. Every device signed in to the account will be signed out.</p>
            ${this.passwordError ? html`<p class="field-error" id="reset-password-error">${this.passwordError}</p>` : nothing}
          </div>
          <div class="form-error" role="alert">${this.formError}</div>
          <button class="primary wide" type="submit" ?disabled=${this.busy}>Reset password</button>
        </form>
      `,
    );
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const api = this.api;
    if (this.busy || !api || !(event.currentTarget instanceof HTMLFormElement)) return;
    const newPassword = String(new FormData(event.currentTarget).get('newPassword') ?? '');
    this.busy = true;
    this.passwordError = '';
    this.formError = '';
    try {
      await api.resetPassword(this.token, newPassword);
      this.emit('password-reset');
    } catch (error) {
      if (hasCode(error, 'invalid_token') || (error instanceof ApiError && error.fieldMessage('token'))) {
        this.invalid = true;
        return;
      }
      const fieldMessage = error instanceof ApiError ? error.fieldMessage('newPassword') : undefined;
      if (fieldMessage) this.passwordError = fieldMessage;
      else if (hasCode(error, 'validation_failed')) this.passwordError = error.message;
      else this.formError = describeProblem(error);
      await this.updateComplete;
      if (this.passwordError) this.querySelector<HTMLInputElement>('#reset-password')?.focus();
    } finally {
      this.busy = false;
    }
  }
}

customElements.define('reset-password-screen', ResetPasswordScreen);
