import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { contactTime } from '../format.js';
import type { ContactEntry, ContactRow, GroupEntry } from '../state/chat-store.js';
import { avatar } from './avatar.js';
import { StoreElement } from './light-element.js';

/** The right-hand side of a row, person or group: the last message's time and the unread badge. */
const contactMeta = (lastMessage: { sentAt: string } | null | undefined, unread: number): TemplateResult =>
  html`<span class="contact-meta">
    ${lastMessage ? html`<time datetime=${lastMessage.sentAt}>${contactTime(lastMessage.sentAt)}</time>` : nothing}
    ${unread > 0 ? html`<span class="badge"><span class="sr-only">, </span>${unread}<span class="sr-only"> unread</span></span>` : nothing}
  </span>`;

/**
 * Conversations with people and groups by recency, with presence dots, last-message previews and unread
 * badges; "New group" asks the app to open the new-group dialog (emits `new-group`).
 */
export class ContactList extends StoreElement {
  override render(): TemplateResult {
    const store = this.store;
    if (!store) return html``;
    const rows = store.contactList();
    return html`
      <div class="section-head">
        <h2 class="section-title" id="contacts-title">Conversations</h2>
        <button class="ghost small" type="button" aria-haspopup="dialog" @click=${() => this.emit('new-group')}>
          New group
        </button>
      </div>
      ${
        rows.length === 0
          ? html`<p class="muted empty-contacts">No conversations yet. Search for someone to say hello.</p>`
          : html`<ul class="contacts" aria-labelledby="contacts-title">
              ${repeat(
                rows,
                (row) => (row.kind === 'person' ? row.entry.user.id : `group:${row.entry.id}`),
                (row) => this.renderRow(row),
              )}
            </ul>`
      }
    `;
  }

  private renderRow(row: ContactRow): TemplateResult {
    return row.kind === 'person' ? this.renderContact(row.entry) : this.renderGroup(row.entry);
  }

  private renderGroup(entry: GroupEntry): TemplateResult {
    const store = this.store;
    if (!store) return html``;
    const { id, name, lastMessage, unread } = entry;
    const active = store.activeGroupId === id;
    const senderName = lastMessage && store.groups.memberName(lastMessage.from);
    // From the contacts list alone members are not known yet; the name comes once the group is loaded.
    const sender = lastMessage?.from === store.me.id ? 'You: ' : senderName ? `${senderName}: ` : '';
    return html`<li>
      <button
        class="contact group-contact ${active ? 'active' : ''} ${unread > 0 ? 'has-unread' : ''}"
        type="button"
        data-group=${id}
        aria-current=${active ? 'true' : nothing}
        @click=${() => void store.openGroup(id)}
      >
        ${avatar({ id, displayName: name })}
        <span class="contact-main">
          <span class="contact-name">${name}</span>
          <span class="sr-only">, group</span>
          <span class="preview">${lastMessage ? `${sender}${lastMessage.body}` : 'New group'}</span>
        </span>
        ${contactMeta(lastMessage, unread)}
      </button>
    </li>`;
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
        ${contactMeta(lastMessage, unread)}
      </button>
    </li>`;
  }
}

customElements.define('contact-list', ContactList);
