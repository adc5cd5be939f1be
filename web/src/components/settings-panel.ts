import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { ApiClient } from '../api/client.js';
import { ApiError, describeProblem } from '../api/problem.js';
import type { User } from '../api/types.js';
import { LightElement } from './light-element.js';

const CHANGED_TEXT = 'Password changed. Your other devices were signed out; this one stays signed in.';

type PasswordField = 'currentPassword' | 'newPassword';

interface FormState<F extends string> {
  busy: boolean;
  errors: Partial<Record<F, string>>;
  formError: string;
}

const idle = <F extends string>(): FormState<F> => ({ busy: false, errors: {}, formError: '' });

/**
 * Field errors from a problem: `errors[].path` for the listed fields, `invalid_credentials` on the password
 * field it is about; anything else (rate limit with its retry hint, network, server) for the whole form.
 */
function formStateOf<F extends string>(error: unknown, fields: readonly F[], passwordField: F): FormState<F> {
  const errors: Partial<Record<F, string>> = {};
  if (error instanceof ApiError) {
    for (const field of fields) {
      const message = error.fieldMessage(field);
      if (message) errors[field] = message;
    }
    if (error.code === 'invalid_credentials') errors[passwordField] = 'That password is not right.';
  }
  const formError = Object.keys(errors).length > 0 ? '' : describeProblem(error);
  return { busy: false, errors, formError };
}

/**
 * "Account settings" from the top bar: change the password (`POST /auth/password`; the other devices are
 * signed out, this one stays) and delete the account (`DELETE /me`, password once more). A modal `<dialog>`
 * like the sessions panel. Emits `close`, and `account-deleted` once the account is gone.
 */
export class SettingsPanel extends LightElement {
  static override properties = {
    api: { attribute: false },
    user: { attribute: false },
    open: { type: Boolean },
    change: { state: true },
    changed: { state: true },
    removal: { state: true },
  };
  declare api: ApiClient | undefined;
  declare user: User | undefined;
  declare open: boolean;
  declare change: FormState<PasswordField>;
  declare changed: boolean;
  declare removal: FormState<'password'>;

  constructor() {
    super();
    this.open = false;
    this.change = idle();
    this.changed = false;
    this.removal = idle();
  }

  override render(): TemplateResult {
    return html`
      <dialog class="sessions settings" aria-labelledby="settings-title" @close=${() => this.emit('close')}>
        <header class="dialog-header">
          <h2 id="settings-title">Account settings</h2>
        </header>
        ${this.user ? html`<p class="muted">Signed in as ${this.user.email}</p>` : nothing}
        ${this.renderChangePassword()} ${this.renderDeleteAccount()}
        <footer class="dialog-footer end">
          <button class="ghost" type="button" @click=${this.dismiss}>Close</button>
        </footer>
      </dialog>
    `;
  }

  private renderChangePassword(): TemplateResult {
    const state = this.change;
    return html`
      <section class="settings-section" aria-labelledby="change-password-title">
        <h3 id="change-password-title">Change password</h3>
        <form novalidate @submit=${this.submitChange} aria-busy=${state.busy ? 'true' : 'false'}>
          ${this.passwordInput('settings-current-password', 'currentPassword', 'Current password', 'current-password', state.errors.currentPassword)}
          ${this.passwordInput(
            'settings-new-password',
            'newPassword',
            'New password',
            'new-password',
            state.errors.newPassword,
            'At least 8 characters. Every other device signed in to your account will be signed out.',
          )}
          <div class="form-error" role="alert">${state.formError}</div>
          <p class="settings-done" role="status">${this.changed ? CHANGED_TEXT : ''}</p>
          <button class="primary" type="submit" ?disabled=${state.busy}>Change password</button>
        </form>
      </section>
    `;
  }

  private renderDeleteAccount(): TemplateResult {
    const state = this.removal;
    return html`
      <section class="settings-section danger-zone" aria-labelledby="delete-account-title">
        <h3 id="delete-account-title">Delete account</h3>
        <p class="danger-note" id="delete-account-warning">
          <strong>This cannot be undone.</strong> Your account is deleted for good and you are signed out on
          every device. Your contacts and unread messages are removed; people you wrote to keep the
          conversation, shown as from “Deleted user”.
        </p>
        <form novalidate @submit=${this.submitDelete} aria-busy=${state.busy ? 'true' : 'false'}>
          ${this.passwordInput(
            'settings-delete-password',
            'password',
            'Password',
            'current-password',
            state.errors.password,
            'Type your password to confirm.',
          )}
          <div class="form-error" role="alert">${state.formError}</div>
          <button class="danger" type="submit" aria-describedby="delete-account-warning" ?disabled=${state.busy}>
            Delete account
          </button>
        </form>
      </section>
    `;
  }

  private passwordInput(
    id: string,
    name: string,
    label: string,
    autocomplete: string,
    error: string | undefined,
    hint = '',
  ): TemplateResult {
    const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
    return html`
      <div class="field">
        <label for=${id}>${label}</label>
        <input
          id=${id}
          name=${name}
          type="password"
          autocomplete=${autocomplete}
          required
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${describedBy || nothing}
        />
        ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : nothing}
        ${error ? html`<p class="field-error" id=${`${id}-error`}>${error}</p>` : nothing}
      </div>
    `;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const dialog = this.querySelector('dialog');
    if (!dialog || !changed.has('open')) return;
    if (this.open && !dialog.open) {
      for (const form of this.querySelectorAll('form')) form.reset();
      this.change = idle();
      this.changed = false;
      this.removal = idle();
      dialog.showModal();
    } else if (!this.open && dialog.open) {
      dialog.close();
    }
  }

  private readonly submitChange = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget;
    if (!this.api || this.change.busy || !(form instanceof HTMLFormElement)) return;
    const data = new FormData(form);
    this.change = { ...idle(), busy: true };
    this.changed = false;
    try {
      await this.api.changePassword(
        String(data.get('currentPassword') ?? ''),
        String(data.get('newPassword') ?? ''),
      );
      form.reset();
      this.change = idle();
      this.changed = true;
    } catch (error) {
      this.change = formStateOf(error, ['currentPassword', 'newPassword'], 'currentPassword');
      await this.focusInvalid(form);
    }
  };

  private readonly submitDelete = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget;
    if (!this.api || this.removal.busy || !(form instanceof HTMLFormElement)) return;
    const password = String(new FormData(form).get('password') ?? '');
    this.removal = { ...idle(), busy: true };
    try {
      await this.api.deleteAccount(password);
      this.removal = idle();
      this.emit('account-deleted');
    } catch (error) {
      this.removal = formStateOf(error, ['password'], 'password');
      await this.focusInvalid(form);
    }
  };

  private async focusInvalid(form: HTMLFormElement): Promise<void> {
    await this.updateComplete;
    form.querySelector<HTMLInputElement>('[aria-invalid="true"]')?.focus();
  }

  private readonly dismiss = (): void => {
    this.querySelector('dialog')?.close();
  };
}

customElements.define('settings-panel', SettingsPanel);
