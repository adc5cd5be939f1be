import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { ApiClient } from '../api/client.js';
import { ApiError, type ApiErrorCode, rateLimitText } from '../api/problem.js';
import { FORGOT_PASSWORD_HREF } from '../routes.js';
import { LightElement } from './light-element.js';

type Mode = 'sign-in' | 'register';
type Field = 'displayName' | 'email' | 'password';

const FIELDS: Record<Field, { label: string; type: string; autocomplete: Record<Mode, string> }> = {
  displayName: {
    label: 'Display name',
    type: 'text',
    autocomplete: { 'sign-in': 'off', register: 'nickname' },
  },
  email: { label: 'Email', type: 'email', autocomplete: { 'sign-in': 'username', register: 'email' } },
  password: {
    label: 'Password',
    type: 'password',
    autocomplete: { 'sign-in': 'current-password', register: 'new-password' },
  },
};

/** Codes without a field path that still belong to one field. */
const FIELD_OF_CODE: Partial<Record<ApiErrorCode, Field>> = { email_taken: 'email' };

/**
 * Sign in / create account. Validation is the API's: problem+json `errors[]` are shown under their fields
 * (aria-invalid + aria-describedby); other problems go to one alert above the button. Emits `signed-in`
 * with the user after a cookie-mode login (registration signs in right away).
 */
export class AuthScreen extends LightElement {
  static override properties = {
    api: { attribute: false },
    notice: {},
    mode: { state: true },
    busy: { state: true },
    errors: { state: true },
    formError: { state: true },
  };
  declare api: ApiClient | undefined;
  declare notice: string;
  declare mode: Mode;
  declare busy: boolean;
  declare errors: Partial<Record<Field, string>>;
  declare formError: string;

  constructor() {
    super();
    this.notice = '';
    this.mode = 'sign-in';
    this.busy = false;
    this.errors = {};
    this.formError = '';
  }

  override render(): TemplateResult {
    const registering = this.mode === 'register';
    const fields: Field[] = registering ? ['displayName', 'email', 'password'] : ['email', 'password'];
    return html`
      <main class="auth">
        <section class="auth-card" aria-labelledby="auth-title">
          <p class="brand" aria-hidden="true"><span class="brand-mark">●</span> Chat</p>
          <h1 id="auth-title">${registering ? 'Create your account' : 'Welcome back'}</h1>
          ${this.notice && !this.formError ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
          <form novalidate @submit=${this.submit} aria-busy=${this.busy ? 'true' : 'false'}>
            ${repeat(
              fields,
              (field) => field,
              (field) => this.renderField(field),
            )}
            <div class="form-error" role="alert">${this.formError}</div>
            <button class="primary wide" type="submit" ?disabled=${this.busy}>
              ${registering ? 'Create account' : 'Sign in'}
            </button>
          </form>
          ${
            registering
              ? nothing
              : html`<p class="forgot"><a class="link" href=${FORGOT_PASSWORD_HREF}>Forgot password?</a></p>`
          }
          <p class="switch">
            ${registering ? 'Already have an account?' : 'New here?'}
            <button class="link" type="button" @click=${this.toggle}>
              ${registering ? 'Use an existing account' : 'Create one'}
            </button>
          </p>
        </section>
      </main>
    `;
  }

  private renderField(field: Field): TemplateResult {
    const spec = FIELDS[field];
    const error = this.errors[field];
    const id = `auth-${field}`;
    const hint = field === 'password' && this.mode === 'register' ? 'At least 8 characters.' : '';
    const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
    return html`
      <div class="field">
        <label for=${id}>${spec.label}</label>
        <input
          id=${id}
          name=${field}
          type=${spec.type}
          autocomplete=${spec.autocomplete[this.mode]}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${describedBy || nothing}
          required
        />
        ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : nothing}
        ${error ? html`<p class="field-error" id=${`${id}-error`}>${error}</p>` : nothing}
      </div>
    `;
  }

  private toggle(): void {
    this.mode = this.mode === 'register' ? 'sign-in' : 'register';
    this.errors = {};
    this.formError = '';
  }

  private async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const api = this.api;
    if (this.busy || !api || !(event.currentTarget instanceof HTMLFormElement)) return;
    const data = new FormData(event.currentTarget);
    const value = (name: Field) => String(data.get(name) ?? '');
    this.busy = true;
    this.errors = {};
    this.formError = '';
    try {
      if (this.mode === 'register')
        await api.register(value('email'), value('password'), value('displayName'));
      const user = await api.login(value('email'), value('password'));
      this.emit('signed-in', user);
    } catch (error) {
      void this.showError(error);
    } finally {
      this.busy = false;
    }
  }

  private async showError(error: unknown): Promise<void> {
    if (!(error instanceof ApiError)) {
      this.formError = 'Something went wrong. Please try again.';
      return;
    }
    const errors: Partial<Record<Field, string>> = {};
    for (const field of Object.keys(FIELDS) as Field[]) {
      const message = error.fieldMessage(field);
      if (message) errors[field] = message;
    }
    const codeField = FIELD_OF_CODE[error.code];
    if (codeField) errors[codeField] = error.message;
    this.errors = errors;
    if (Object.keys(errors).length === 0) this.formError = this.describe(error);
    await this.updateComplete;
    this.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  }

  private describe(error: ApiError): string {
    if (error.code === 'rate_limited') return rateLimitText(error);
    if (error.code === 'validation_failed') return 'Please fill in every field.';
    return error.message;
  }
}

customElements.define('auth-screen', AuthScreen);
