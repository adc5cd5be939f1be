import { html, type TemplateResult } from 'lit';
import { avatar } from './avatar.js';
import { StoreElement } from './light-element.js';
import './message-composer.js';
import './message-log.js';

/** The open conversation: header (presence, typing), the message log and the composer. */
export class ConversationView extends StoreElement {
  override render(): TemplateResult {
    const store = this.store;
    const peerId = store?.activePeerId;
    if (!store || !peerId) {
      return html`<section class="empty-state" aria-label="No conversation open">
        <svg class="empty-illustration" viewBox="0 0 64 64" aria-hidden="true">
          <path
            fill="currentColor"
            opacity="0.18"
            d="M10 14a8 8 0 0 1 8-8h28a8 8 0 0 1 8 8v20a8 8 0 0 1-8 8H26l-10 9v-9h-1a5 5 0 0 1-5-5z"
          />
          <circle cx="22" cy="24" r="3" fill="currentColor" />
          <circle cx="32" cy="24" r="3" fill="currentColor" />
          <circle cx="42" cy="24" r="3" fill="currentColor" />
        </svg>
        <h2>Your messages</h2>
        <p class="muted">Pick a conversation, or search for someone to start a new one.</p>
      </section>`;
    }
    const peer = store.peer(peerId);
    const conversation = store.conversation(peerId);
    const online = store.isOnline(peerId);
    const typing = conversation.isTyping(Date.now());
    return html`
      <section class="conversation" aria-labelledby="conversation-title">
        <header class="conversation-header">
          <button class="ghost back" type="button" aria-label="Back to conversations" @click=${() => store.close()}>
            ←
          </button>
          ${avatar(peer, online)}
          <div class="conversation-heading">
            <h2 id="conversation-title">${peer.displayName}</h2>
            <p class="presence ${typing ? 'typing' : ''}" aria-live="polite">
              ${typing ? `${peer.displayName} is typing…` : online ? 'Online' : 'Offline'}
            </p>
          </div>
        </header>
        <message-log .store=${store} .peerId=${peerId}></message-log>
        <message-composer .store=${store} .peerId=${peerId}></message-composer>
      </section>
    `;
  }

  protected override updated(): void {
    // Lets the narrow layout show either the list or the conversation (see `.layout:has(...)` in the CSS).
    this.toggleAttribute('active', Boolean(this.store?.activePeerId));
  }
}

customElements.define('conversation-view', ConversationView);
