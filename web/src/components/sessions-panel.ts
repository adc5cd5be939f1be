import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { ApiClient } from '../api/client.js';
import type { Session, SessionsResponse } from '../api/types.js';
import { describeAgent, fullDateTime } from '../format.js';
import { LightElement } from './light-element.js';

/**
 * Where the account is signed in (`GET /auth/sessions`), with revoke (`DELETE /auth/sessions/{id}`) and
 * "Sign out everywhere" (`POST /auth/logout-all`). A modal `<dialog>`: focus stays inside, Esc closes it.
 * Emits `close`, and `signed-out` after a sign-out everywhere.
 */
export class SessionsPanel extends LightElement {
  static override properties = {
    api: { attribute: false },
    open: { type: Boolean },
    sessions: { state: true },
    loading: { state: true },
    error: { state: true },
  };
  declare api: ApiClient | undefined;
  declare open: boolean;
  declare sessions: Session[];
  declare loading: boolean;
  declare error: string;

  constructor() {
    super();
    this.open = false;
    this.sessions = [];
    this.loading = false;
    this.error = '';
  }

  override render(): TemplateResult {
    return html`
      <dialog class="sessions" aria-labelledby="sessions-title" @close=${() => this.emit('close')}>
        <header class="dialog-header">
          <h2 id="sessions-title">Active sessions</h2>
        </header>
        <p class="muted">Devices and browsers signed in to your account. Revoke any you don't recognise.</p>
        ${this.error ? html`<p class="form-error" role="alert">${this.error}</p>` : nothing}
        ${
          this.loading && this.sessions.length === 0
            ? html`<p class="muted">Loading…</p>`
            : html`<ul class="session-list" aria-busy=${this.loading ? 'true' : 'false'}>
                ${this.sessions.map((session) => this.renderSession(session))}
              </ul>`
        }
        <footer class="dialog-footer">
          <button class="danger" type="button" @click=${this.signOutEverywhere}>Sign out everywhere</button>
          <button class="ghost" type="button" @click=${this.dismiss}>Close</button>
        </footer>
      </dialog>
    `;
  }

  private renderSession(session: Session): TemplateResult {
    const device = describeAgent(session.userAgent);
    return html`<li class="session ${session.current ? 'current' : ''}">
      <div class="session-main">
        <p class="session-device">
          ${device} ${session.current ? html`<span class="tag">This device</span>` : nothing}
        </p>
        <p class="muted small-print">
          ${session.ip || 'unknown address'} · signed in ${fullDateTime(session.createdAt)} · last active
          ${fullDateTime(session.lastSeenAt)}
        </p>
      </div>
      ${
        session.current
          ? nothing
          : html`<button
              class="ghost small"
              type="button"
              aria-label=${`Revoke ${device}, ${session.ip}`}
              @click=${() => this.revoke(session.id)}
            >
              Revoke
            </button>`
      }
    </li>`;
  }

  protected override updated(changed: PropertyValues<this>): void {
    const dialog = this.querySelector('dialog');
    if (!dialog || !changed.has('open')) return;
    if (this.open && !dialog.open) {
      dialog.showModal();
      void this.load();
    } else if (!this.open && dialog.open) {
      dialog.close();
    }
  }

  private async load(): Promise<void> {
    if (!this.api) return;
    this.loading = true;
    this.error = '';
    try {
      ({ sessions: this.sessions } = await this.api.get<SessionsResponse>('/auth/sessions'));
    } catch (error) {
      this.error = error instanceof Error ? error.message : 'Could not load sessions';
    } finally {
      this.loading = false;
    }
  }

  private async revoke(id: string): Promise<void> {
    if (!this.api) return;
    try {
      await this.api.delete(`/auth/sessions/${encodeURIComponent(id)}`);
      this.sessions = this.sessions.filter((session) => session.id !== id);
    } catch (error) {
      this.error = error instanceof Error ? error.message : 'Could not revoke the session';
    }
    await this.load();
  }

  private readonly signOutEverywhere = async (): Promise<void> => {
    if (!this.api) return;
    try {
      await this.api.logoutAll();
      this.emit('signed-out');
    } catch (error) {
      this.error = error instanceof Error ? error.message : 'Could not sign out everywhere';
    }
  };

  private readonly dismiss = (): void => {
    this.querySelector('dialog')?.close();
  };
}

customElements.define('sessions-panel', SessionsPanel);
