import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { groupKey } from '../state/thread.js';
import { avatar } from './avatar.js';
import { StoreElement } from './light-element.js';
import './group-members-panel.js';
import './message-composer.js';
import './message-log.js';

/**
 * The open group: header (name, member count or who is typing, Members), the message log with each sender's
 * name, and the composer — or, once the user left or was removed, a notice in its place.
 */
export class GroupView extends StoreElement {
  static override properties = { groupId: {}, membersOpen: { state: true } };
  declare groupId: string;
  declare membersOpen: boolean;

  constructor() {
    super();
    this.membersOpen = false;
  }

  override render(): TemplateResult {
    const store = this.store;
    const entry = store?.groups.get(this.groupId);
    if (!store || !entry) return html``;
    const key = groupKey(this.groupId);
    const conversation = store.conversation(key);
    const typing = entry.isMember && conversation.isTyping(Date.now());
    const count = entry.group?.members.length;
    const status = !entry.isMember
      ? 'You are not in this group'
      : typing
        ? `${store.memberName(conversation.typingFrom)} is typing…`
        : count === undefined
          ? 'Group'
          : `${count} ${count === 1 ? 'member' : 'members'}`;
    return html`
      <section class="conversation group" aria-labelledby="conversation-title">
        <header class="conversation-header">
          <button class="ghost back" type="button" aria-label="Back to conversations" @click=${() => store.close()}>
            ←
          </button>
          ${avatar({ id: entry.id, displayName: entry.name })}
          <div class="conversation-heading">
            <h2 id="conversation-title">${entry.name}</h2>
            <p class="presence ${typing ? 'typing' : ''}" aria-live="polite">${status}</p>
          </div>
          ${
            entry.isMember
              ? html`<button
                  class="ghost small conversation-action"
                  type="button"
                  aria-haspopup="dialog"
                  @click=${() => {
                    this.membersOpen = true;
                  }}
                >
                  Members
                </button>`
              : nothing
          }
        </header>
        <message-log .store=${store} .threadKey=${key}></message-log>
        ${
          entry.isMember
            ? html`<message-composer .store=${store} .threadKey=${key}></message-composer>`
            : html`<p class="blocked-notice" role="status">
                ${entry.endedBy === 'removed' ? 'You were removed from this group.' : 'You left this group.'} You
                no longer get its messages.
              </p>`
        }
        <group-members-panel
          .store=${store}
          .groupId=${this.groupId}
          ?open=${this.membersOpen && entry.isMember}
          @close=${() => {
            this.membersOpen = false;
          }}
        ></group-members-panel>
      </section>
    `;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('groupId')) this.membersOpen = false;
  }
}

customElements.define('group-view', GroupView);
