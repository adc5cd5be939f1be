import { html, type TemplateResult } from 'lit';
import { ApiClient } from '../api/client.js';
import type { User, UserResponse } from '../api/types.js';
import { loadConfig, type RuntimeConfig } from '../config.js';
import { ChatStore } from '../state/chat-store.js';
import { LightElement } from './light-element.js';
import './auth-screen.js';
import './blocked-panel.js';
import './contact-list.js';
import './conversation-view.js';
import './offline-banner.js';
import './people-search.js';
import './sessions-panel.js';
import './top-bar.js';

type Phase =
  | { kind: 'starting' }
  | { kind: 'failed'; message: string }
  | { kind: 'signed-out'; notice: string }
  | { kind: 'signed-in'; store: ChatStore };

/**
 * The root: restores the session from the HttpOnly cookies on load (one refresh, then `GET /me`), then
 * shows either the sign-in screen or the chat. Whenever the session ends (sign out, revoked elsewhere,
 * refresh refused) everything live is stopped and the sign-in screen comes back.
 */
export class ChatApp extends LightElement {
  static override properties = {
    phase: { state: true },
    sessionsOpen: { state: true },
    blockedOpen: { state: true },
    signingOut: { state: true },
    problem: { state: true },
  };
  declare phase: Phase;
  declare sessionsOpen: boolean;
  declare blockedOpen: boolean;
  declare signingOut: boolean;
  declare problem: string;
  private readonly api = new ApiClient();
  private config: RuntimeConfig | undefined;

  constructor() {
    super();
    this.phase = { kind: 'starting' };
    this.sessionsOpen = false;
    this.blockedOpen = false;
    this.signingOut = false;
    this.problem = '';
    this.api.onSessionEnded = () => this.endSession('Your session has ended. Please sign in again.');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.start();
  }

  override render(): TemplateResult {
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
          @sign-out=${this.signOut}
        ></top-bar>
        <offline-banner .store=${store}></offline-banner>
        ${this.problem ? html`<p class="app-error" role="alert">${this.problem}</p>` : ''}
        <div class="layout">
          <aside class="sidebar" aria-label="Contacts">
            <people-search .store=${store}></people-search>
            <contact-list .store=${store}></contact-list>
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
    this.problem = '';
    this.phase = { kind: 'signed-in', store };
  }

  private endSession(notice: string): void {
    this.api.cancelRefresh();
    if (this.phase.kind === 'signed-in') this.phase.store.stop();
    this.sessionsOpen = false;
    this.blockedOpen = false;
    this.signingOut = false;
    this.phase = { kind: 'signed-out', notice };
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
