import { html, type TemplateResult } from 'lit';
import type { User } from '../api/types.js';
import { avatar } from './avatar.js';
import { LightElement } from './light-element.js';

/**
 * App header: who is signed in, the sessions and blocked-people panels and sign out (`open-sessions`,
 * `open-blocked`, `sign-out` events).
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
          <button class="ghost" type="button" ?disabled=${this.busy} @click=${() => this.emit('sign-out')}>
            Sign out
          </button>
        </nav>
      </header>
    `;
  }
}

customElements.define('top-bar', TopBar);
