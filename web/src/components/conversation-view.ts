import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { Person } from '../api/types.js';
import type { ChatStore } from '../state/chat-store.js';
import { avatar } from './avatar.js';
import { StoreElement } from './light-element.js';
import './group-view.js';
import './message-composer.js';
import './message-log.js';

const EMPTY_STATE = html`<section class="empty-state" aria-label="No conversation open">
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

/**
 * The open conversation: header (presence, typing, Block / Unblock), the message log and the composer; an
 * open group is shown by `<group-view>`.
 */
export class ConversationView extends StoreElement {
  static override properties = {
    busy: { state: true },
    problem: { state: true },
  };
  declare busy: boolean;
  declare problem: string;
  private shownPeer: string | null = null;

  constructor() {
    super();
    this.busy = false;
    this.problem = '';
  }

  override render(): TemplateResult {
    const store = this.store;
    if (store?.activeGroupId)
      return html`<group-view .store=${store} .groupId=${store.activeGroupId}></group-view>`;
    const peerId = store?.activePeerId;
    if (!store || !peerId) return EMPTY_STATE;
    const peer = store.peer(peerId);
    const conversation = store.conversation(peerId);
    const blocked = store.isBlocked(peerId);
    const online = !blocked && store.isOnline(peerId);
    const typing = !blocked && conversation.isTyping(Date.now());
    return html`
      <section class="conversation" aria-labelledby="conversation-title">
        <header class="conversation-header">
          <button class="ghost back" type="button" aria-label="Back to conversations" @click=${() => store.close()}>
            ←
          </button>
          ${avatar(peer, blocked ? undefined : online)}
          <div class="conversation-heading">
            <h2 id="conversation-title">${peer.displayName}</h2>
            <p class="presence ${typing ? 'typing' : ''}" aria-live="polite">
              ${blocked ? 'Blocked' : typing ? `${peer.displayName} is typing…` : online ? 'Online' : 'Offline'}
            </p>
          </div>
          <button
            class="ghost small conversation-action"
            type="button"
            ?disabled=${this.busy}
            @click=${() => void this.toggleBlock(store, peer, blocked)}
          >
            ${blocked ? 'Unblock' : 'Block'}
          </button>
        </header>
        <div class="conversation-alert" role="alert">${this.problem || nothing}</div>
        <message-log .store=${store} .threadKey=${peerId}></message-log>
        ${
          blocked
            ? html`<p class="blocked-notice" role="status">
                You blocked ${peer.displayName}. Neither of you can send messages, and they don't see when
                you're online. Unblock to write again.
              </p>`
            : html`<message-composer .store=${store} .threadKey=${peerId}></message-composer>`
        }
      </section>
    `;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const peerId = this.store?.activePeerId ?? null;
    if (peerId !== this.shownPeer) this.problem = '';
    this.shownPeer = peerId;
  }

  protected override updated(): void {
    // Lets the narrow layout show either the list or the conversation (see `.layout:has(...)` in the CSS).
    this.toggleAttribute('active', Boolean(this.store?.activeKey()));
  }

  private async toggleBlock(store: ChatStore, peer: Person, blocked: boolean): Promise<void> {
    this.busy = true;
    this.problem = '';
    try {
      if (blocked) await store.unblock(peer.id);
      else await store.block(peer);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.problem = `Could not ${blocked ? 'unblock' : 'block'} ${peer.displayName}: ${reason}`;
    } finally {
      this.busy = false;
    }
  }
}

customElements.define('conversation-view', ConversationView);
