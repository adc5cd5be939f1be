import { html, type TemplateResult } from 'lit';
import { ApiClient } from '../api/client.js';
import type { User, UserResponse } from '../api/types.js';
import { loadConfig, type RuntimeConfig } from '../config.js';
import { leaveRoute, parseRoute, type Route } from '../routes.js';
import { ChatStore } from '../state/chat-store.js';
import { LightElement } from './light-element.js';
import './auth-screen.js';
import './blocked-panel.js';
import './contact-list.js';
import './conversation-view.js';
import './forgot-password-screen.js';
import './new-group-panel.js';
import './offline-banner.js';
import './people-search.js';
import './reset-password-screen.js';
import './sessions-panel.js';
import './settings-panel.js';
import './top-bar.js';
import './verify-banner.js';
import './verify-email-screen.js';

type Phase =
  | { kind: 'starting' }
  | { kind: 'failed'; message: string }
  | { kind: 'signed-out'; notice: string }
  | { kind: 'signed-in'; store: ChatStore };

/**
 * The root: restores the session from the HttpOnly cookies on load (one refresh, then `GET /me`), then
 * shows either the sign-in screen or the chat. Whenever the session ends (sign out, revoked elsewhere,
 * refresh refused, password reset, account deleted) everything live is stopped and the sign-in screen comes
 * back. The fragment routes (`#/forgot-password`, and the mailed `#/reset-password?token=…` and
 * `#/verify-email?token=…`) show their screen in front of whatever phase the app is in.
 */
export class ChatApp extends LightElement {
  static override properties = {
    phase: { state: true },
    sessionsOpen: { state: true },
    blockedOpen: { state: true },
    newGroupOpen: { state: true },
    settingsOpen: { state: true },
    route: { state: true },
    me: { state: true },
    signingOut: { state: true },
    problem: { state: true },
  };
  declare phase: Phase;
  declare sessionsOpen: boolean;
  declare blockedOpen: boolean;
  declare newGroupOpen: boolean;
  declare settingsOpen: boolean;
  declare route: Route;
  /** The signed-in user as `GET /me` last said (the verification banner follows it). */
  declare me: User | undefined;
  declare signingOut: boolean;
  declare problem: string;
  private readonly api = new ApiClient();
  private config: RuntimeConfig | undefined;

  constructor() {
    super();
    this.phase = { kind: 'starting' };
    this.sessionsOpen = false;
    this.blockedOpen = false;
    this.newGroupOpen = false;
    this.settingsOpen = false;
    this.route = parseRoute(location.hash);
    this.me = undefined;
    this.signingOut = false;
    this.problem = '';
    this.api.onSessionEnded = () => this.endSession('Your session has ended. Please sign in again.');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.onHashChange);
    void this.start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHashChange);
  }

  override render(): TemplateResult {
    const route = this.route;
    switch (route.kind) {
      case 'forgot-password':
        return html`<forgot-password-screen .api=${this.api}></forgot-password-screen>`;
      case 'reset-password':
        return html`<reset-password-screen
          .api=${this.api}
          .token=${route.token}
          @password-reset=${this.passwordReset}
        ></reset-password-screen>`;
      case 'verify-email':
        return html`<verify-email-screen
          .api=${this.api}
          .token=${route.token}
          @verify-done=${(event: CustomEvent<boolean>) => void this.verifyDone(event.detail)}
        ></verify-email-screen>`;
      case 'home':
        return this.renderPhase();
    }
  }

  private renderPhase(): TemplateResult {
    const phase = this.phase;
    switch (phase.kind) {
      case 'starting':
        return html`<div class="splash" role="status"><span class="spinner" aria-hidden="true"></span>Loading…</div>`;
      case 'failed':
        return html`<div class="splash" role="alert">
          <p>${phase.message}</p>
          <button class="primary" type="button" @click=${() => void this.start()}>Try again</button>
        </div>`;
      case 'signed-out':
        return html`<auth-screen
          .api=${this.api}
          .notice=${phase.notice}
          @signed-in=${(event: CustomEvent<User>) => this.signedIn(event.detail)}
        ></auth-screen>`;
      case 'signed-in':
        return this.renderChat(phase.store);
    }
  }

  private renderChat(store: ChatStore): TemplateResult {
    return html`
      <div class="shell">
        <top-bar
          .user=${store.me}
          ?busy=${this.signingOut}
          @open-sessions=${() => {
            this.sessionsOpen = true;
          }}
          @open-blocked=${() => {
            this.blockedOpen = true;
          }}
          @open-settings=${() => {
            this.settingsOpen = true;
          }}
          @sign-out=${this.signOut}
        ></top-bar>
        <verify-banner .api=${this.api} .user=${this.me}></verify-banner>
        <offline-banner .store=${store}></offline-banner>
        ${this.problem ? html`<p class="app-error" role="alert">${this.problem}</p>` : ''}
        <div class="layout">
          <aside class="sidebar" aria-label="Contacts">
            <people-search .store=${store}></people-search>
            <contact-list
              .store=${store}
              @new-group=${() => {
                this.newGroupOpen = true;
              }}
            ></contact-list>
          </aside>
          <conversation-view .store=${store}></conversation-view>
        </div>
        <sessions-panel
          .api=${this.api}
          ?open=${this.sessionsOpen}
          @close=${() => {
            this.sessionsOpen = false;
          }}
          @signed-out=${() => this.endSession('You signed out on every device.')}
        ></sessions-panel>
        <blocked-panel
          .store=${store}
          ?open=${this.blockedOpen}
          @close=${() => {
            this.blockedOpen = false;
          }}
        ></blocked-panel>
        <new-group-panel
          .store=${store}
          ?open=${this.newGroupOpen}
          @close=${() => {
            this.newGroupOpen = false;
          }}
        ></new-group-panel>
        <settings-panel
          .api=${this.api}
          .user=${this.me}
          ?open=${this.settingsOpen}
          @close=${() => {
            this.settingsOpen = false;
          }}
          @account-deleted=${() => this.endSession('Your account was deleted. Everything it held is gone.')}
        ></settings-panel>
      </div>
    `;
  }

  private async start(): Promise<void> {
    this.phase = { kind: 'starting' };
    try {
      this.config ??= await loadConfig();
      if (!(await this.api.refresh())) {
        this.phase = { kind: 'signed-out', notice: '' };
        return;
      }
      const { user } = await this.api.get<UserResponse>('/me');
      this.signedIn(user);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.phase = { kind: 'failed', message: `Chat could not start: ${reason}` };
    }
  }

  private signedIn(user: User): void {
    if (this.phase.kind === 'signed-in' || !this.config) return;
    const store = new ChatStore(this.api, user, this.config.wsUrl);
    store.start();
    this.me = user;
    this.problem = '';
    this.phase = { kind: 'signed-in', store };
  }

  private endSession(notice: string): void {
    this.api.cancelRefresh();
    if (this.phase.kind === 'signed-in') this.phase.store.stop();
    this.sessionsOpen = false;
    this.blockedOpen = false;
    this.newGroupOpen = false;
    this.settingsOpen = false;
    this.signingOut = false;
    this.me = undefined;
    this.phase = { kind: 'signed-out', notice };
  }

  private readonly onHashChange = (): void => {
    this.route = parseRoute(location.hash);
  };

  private goHome(): void {
    leaveRoute();
    this.route = { kind: 'home' };
  }

  /** A reset ends every session of the account, this browser's included: back to sign-in. */
  private readonly passwordReset = (): void => {
    this.goHome();
    this.endSession('Password changed, sign in with your new password.');
  };

  private async verifyDone(verified: boolean): Promise<void> {
    this.goHome();
    if (!verified || this.phase.kind !== 'signed-in') return;
    try {
      ({ user: this.me } = await this.api.get<UserResponse>('/me'));
    } catch {
      // The banner stays until the next load; the address is confirmed on the server either way.
    }
  }

  private readonly signOut = async (): Promise<void> => {
    this.signingOut = true;
    try {
      await this.api.logout();
      this.endSession('You have signed out.');
    } catch (error) {
      this.signingOut = false;
      this.problem = `Could not sign out: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
}

customElements.define('chat-app', ChatApp);
