import { html, svg, type TemplateResult } from 'lit';
import type { User } from '../api/types.js';
import { avatar } from './avatar.js';
import { LightElement } from './light-element.js';

/** A cog (a dashed ring for the teeth): on a phone the Settings button shows it in place of its word. */
const cogIcon = svg`<svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
  <circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" stroke-width="4" stroke-dasharray="3.1416 3.1416"></circle>
  <circle cx="12" cy="12" r="5.5" fill="none" stroke="currentColor" stroke-width="2.5"></circle>
</svg>`;

/**
 * App header: who is signed in, the sessions, blocked-people and account-settings panels and sign out
 * (`open-sessions`, `open-blocked`, `open-settings`, `sign-out` events).
 */
export class TopBar extends LightElement {
  static override properties = { user: { attribute: false }, busy: { type: Boolean } };
  declare user: User | undefined;
  declare busy: boolean;

  constructor() {
    super();
    this.busy = false;
  }

  override render(): TemplateResult {
    const user = this.user;
    return html`
      <header class="top-bar">
        <p class="brand"><span class="brand-mark" aria-hidden="true">●</span> <span class="brand-name">Chat</span></p>
        <div class="me">
          ${user ? avatar(user) : ''}
          <span class="me-name"><span class="sr-only">Signed in as </span>${user?.displayName ?? ''}</span>
        </div>
        <nav class="top-actions" aria-label="Account">
          <button class="ghost" type="button" @click=${() => this.emit('open-sessions')}>Sessions</button>
          <button class="ghost" type="button" @click=${() => this.emit('open-blocked')}>Blocked people</button>
          <button class="ghost icon-on-phone" type="button" @click=${() => this.emit('open-settings')}>
            ${cogIcon}<span class="label">Settings</span>
          </button>
          <button class="ghost" type="button" ?disabled=${this.busy} @click=${() => this.emit('sign-out')}>
            Sign out
          </button>
        </nav>
      </header>
    `;
  }
}

customElements.define('top-bar', TopBar);
