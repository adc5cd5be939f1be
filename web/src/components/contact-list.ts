import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { contactTime } from '../format.js';
import type { ContactEntry } from '../state/chat-store.js';
import { avatar } from './avatar.js';
import { StoreElement } from './light-element.js';

/** Conversations by recency, with presence dots, last-message previews and unread badges. */
export class ContactList extends StoreElement {
  override render(): TemplateResult {
    const store = this.store;
    if (!store) return html``;
    const contacts = store.contactList();
    return html`
      <h2 class="section-title" id="contacts-title">Conversations</h2>
      ${
        contacts.length === 0
          ? html`<p class="muted empty-contacts">No conversations yet. Search for someone to say hello.</p>`
          : html`<ul class="contacts" aria-labelledby="contacts-title">
              ${repeat(
                contacts,
                (contact) => contact.user.id,
                (contact) => this.renderContact(contact),
              )}
            </ul>`
      }
    `;
  }

  private renderContact(contact: ContactEntry): TemplateResult {
    const store = this.store;
    if (!store) return html``;
    const { user, lastMessage, unread } = contact;
    const online = store.isOnline(user.id);
    const active = store.activePeerId === user.id;
    const mine = lastMessage?.from === store.me.id;
    return html`<li>
      <button
        class="contact ${active ? 'active' : ''} ${unread > 0 ? 'has-unread' : ''}"
        type="button"
        data-peer=${user.id}
        aria-current=${active ? 'true' : nothing}
        @click=${() => void store.open(user)}
      >
        ${avatar(user, online)}
        <span class="contact-main">
          <span class="contact-name">${user.displayName}</span>
          <span class="sr-only">${online ? ', online' : ', offline'}</span>
          <span class="preview">${lastMessage ? `${mine ? 'You: ' : ''}${lastMessage.body}` : 'New conversation'}</span>
        </span>
        <span class="contact-meta">
          ${lastMessage ? html`<time datetime=${lastMessage.sentAt}>${contactTime(lastMessage.sentAt)}</time>` : nothing}
          ${unread > 0 ? html`<span class="badge"><span class="sr-only">, </span>${unread}<span class="sr-only"> unread</span></span>` : nothing}
        </span>
      </button>
    </li>`;
  }
}

customElements.define('contact-list', ContactList);
