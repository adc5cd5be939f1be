import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { clockTime, dayLabel, fullDateTime } from '../format.js';
import type { Conversation, PendingMessage } from '../state/conversation.js';
import { groupIdOf, type StoredMessage, type ThreadKey } from '../state/thread.js';
import { StoreElement } from './light-element.js';

type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'stored'; key: string; message: StoredMessage }
  | { kind: 'pending'; key: string; pending: PendingMessage };

const NEAR_EDGE_PX = 120;
const STATUS: Record<PendingMessage['state'], string> = {
  queued: 'Waiting to send',
  sending: 'Sending…',
  failed: 'Not sent',
};

interface ScrollSnapshot {
  height: number;
  top: number;
  atBottom: boolean;
}

/**
 * The conversation's `role="log"`: history pages load when scrolled near the top (or with the button), the
 * view stays put while older messages are prepended and follows new ones when already at the bottom.
 * Bodies are text interpolations, so markup in a message is shown literally. In a group, each message from
 * someone else carries its sender's name.
 */
export class MessageLog extends StoreElement {
  static override properties = { threadKey: {} };
  /** The peer's user id or `group:<id>` (../state/thread.ts). */
  declare threadKey: ThreadKey;
  private snapshot: ScrollSnapshot | undefined;
  private renderedFirst = '';
  private renderedLast = '';

  override render(): TemplateResult {
    const store = this.store;
    if (!store || !this.threadKey) return html``;
    const conversation = store.conversation(this.threadKey);
    const groupId = groupIdOf(this.threadKey);
    const label =
      groupId === null
        ? `Messages with ${store.peer(this.threadKey).displayName}`
        : `Messages in ${store.groups.get(groupId)?.name ?? 'the group'}`;
    return html`
      <div class="log" role="log" aria-label=${label} tabindex="0" @scroll=${this.onScroll}>
        <div class="log-top">${this.renderTop(conversation)}</div>
        <ol class="messages">
          ${repeat(
            this.rows(conversation),
            (row) => row.key,
            (row) => this.renderRow(row, conversation, groupId !== null),
          )}
        </ol>
      </div>
    `;
  }

  private renderTop(conversation: Conversation): TemplateResult | typeof nothing {
    if (conversation.loading) return html`<p class="muted center">Loading messages…</p>`;
    if (conversation.loadError) {
      return html`<p class="field-error center">
        ${conversation.loadError}
        <button class="link" type="button" @click=${this.loadOlder}>Try again</button>
      </p>`;
    }
    if (conversation.nextCursor !== null) {
      return html`<button class="link" type="button" @click=${this.loadOlder}>Load earlier messages</button>`;
    }
    if (conversation.loaded && conversation.messages.length === 0 && conversation.pending.length === 0) {
      return html`<p class="muted center">No messages yet. Say hello!</p>`;
    }
    return conversation.loaded
      ? html`<p class="muted center">
          ${groupIdOf(this.threadKey) === null ? 'This is the start of your conversation.' : 'This is where you joined the group.'}
        </p>`
      : nothing;
  }

  private rows(conversation: Conversation): Row[] {
    const rows: Row[] = [];
    let day = '';
    const pushDay = (iso: string) => {
      const label = dayLabel(iso);
      if (label !== day) rows.push({ kind: 'day', key: `day:${iso.slice(0, 10)}:${label}`, label });
      day = label;
    };
    for (const message of conversation.messages) {
      pushDay(message.sentAt);
      rows.push({ kind: 'stored', key: message.id, message });
    }
    for (const pending of conversation.pending) {
      pushDay(pending.createdAt);
      rows.push({ kind: 'pending', key: `pending:${pending.clientMsgId}`, pending });
    }
    return rows;
  }

  private renderRow(row: Row, conversation: Conversation, isGroup: boolean): TemplateResult {
    if (row.kind === 'day') return html`<li class="day"><span>${row.label}</span></li>`;
    if (row.kind === 'pending') {
      const { pending } = row;
      return html`<li class="msg mine ${pending.state}" data-state=${pending.state}>
        <div class="bubble"><span class="sr-only">You: </span><p class="body">${pending.body}</p></div>
        <p class="meta">
          <span class="status">${STATUS[pending.state]}</span>
          ${pending.error ? html`<span class="error-text">${pending.error}</span>` : nothing}
          ${
            pending.state === 'failed'
              ? html`<button class="link small" type="button" @click=${() => this.retry(pending.clientMsgId)}>
                    Retry
                  </button>
                  <button class="link small" type="button" @click=${() => this.discard(pending.clientMsgId)}>
                    Discard
                  </button>`
              : nothing
          }
        </p>
      </li>`;
    }
    const { message } = row;
    const mine = message.from === this.store?.me.id;
    const state = mine ? (conversation.isReadByPeer(message) ? 'read' : 'sent') : 'received';
    const sender = mine ? 'You' : (this.store?.memberName(message.from) ?? '');
    return html`<li class="msg ${mine ? 'mine' : 'theirs'}" data-id=${message.id} data-state=${state}>
      <div class="bubble">
        ${
          isGroup && !mine
            ? html`<p class="sender">${sender}<span class="sr-only">:</span></p>`
            : html`<span class="sr-only">${sender}: </span>`
        }
        <p class="body">${message.body}</p>
      </div>
      <p class="meta">
        <time datetime=${message.sentAt} title=${fullDateTime(message.sentAt)}>${clockTime(message.sentAt)}</time>
        ${mine ? html`<span class="status">${state === 'read' ? 'Read' : 'Sent'}</span>` : nothing}
      </p>
    </li>`;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const log = this.log();
    this.snapshot = log
      ? {
          height: log.scrollHeight,
          top: log.scrollTop,
          atBottom: log.scrollHeight - log.scrollTop - log.clientHeight < 48,
        }
      : undefined;
    if (changed.has('threadKey')) this.snapshot = undefined;
  }

  protected override updated(): void {
    const log = this.log();
    const store = this.store;
    if (!log || !store) return;
    const conversation = store.conversation(this.threadKey);
    const first = conversation.messages[0]?.id ?? '';
    const lastPending = conversation.pending.at(-1);
    const last = lastPending ? `pending:${lastPending.clientMsgId}` : (conversation.newest()?.id ?? '');
    const snapshot = this.snapshot;
    if (!snapshot) {
      log.scrollTop = log.scrollHeight;
    } else if (first !== this.renderedFirst && last === this.renderedLast) {
      // Older messages were prepended: keep the same message under the reader's eyes.
      log.scrollTop = log.scrollHeight - snapshot.height + snapshot.top;
    } else if (last !== this.renderedLast && (snapshot.atBottom || last.startsWith('pending:'))) {
      log.scrollTop = log.scrollHeight;
    }
    this.renderedFirst = first;
    this.renderedLast = last;
    // A first page shorter than the viewport cannot be scrolled: fetch more until it can.
    if (
      conversation.nextCursor !== null &&
      !conversation.loading &&
      log.scrollHeight <= log.clientHeight + 8
    ) {
      void this.loadOlder();
    }
  }

  private log(): HTMLElement | null {
    return this.querySelector<HTMLElement>('.log');
  }

  private onScroll(event: Event): void {
    if (event.currentTarget instanceof HTMLElement && event.currentTarget.scrollTop < NEAR_EDGE_PX) {
      void this.loadOlder();
    }
  }

  private readonly loadOlder = async (): Promise<void> => {
    await this.store?.loadOlder(this.threadKey);
  };

  private retry(clientMsgId: string): void {
    this.store?.retry(this.threadKey, clientMsgId);
  }

  private discard(clientMsgId: string): void {
    this.store?.discard(this.threadKey, clientMsgId);
  }
}

customElements.define('message-log', MessageLog);
