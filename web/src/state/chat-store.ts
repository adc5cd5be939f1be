import type { ApiClient } from '../api/client.js';
import type {
  ChatMessage,
  Contact,
  ContactsResponse,
  MarkReadRequest,
  Person,
  ServerFrame,
  ServerFrameOf,
  Ticket,
  User,
} from '../api/types.js';
import { type ConnectionState, RealtimeSocket } from '../realtime/socket.js';
import { BlockList } from './block-list.js';
import { ContactBook, type ContactEntry } from './contact-book.js';
import { Conversation, type PendingMessage } from './conversation.js';
import { catchUp, loadPage } from './history.js';
import { compareIds, newerId } from './message-id.js';
import { Outbox } from './outbox.js';

export type { ContactEntry };

const TYPING_SEND_EVERY_MS = 2_500;
const TYPING_SHOWN_MS = 5_000;
const SWEEP_EVERY_MS = 3_000;

/**
 * Everything the signed-in screens show, kept consistent with the server: contacts (recency, unread,
 * presence), conversations, the outbox and the connection state. Components listen for `change`.
 */
export class ChatStore extends EventTarget {
  readonly contacts = new ContactBook();
  readonly blocks: BlockList;
  readonly conversations = new Map<string, Conversation>();
  activePeerId: string | null = null;
  connection: ConnectionState = 'connecting';
  private readonly socket: RealtimeSocket;
  private readonly outbox: Outbox;
  private readonly typingSentAt = new Map<string, number>();
  private sweepTimer: ReturnType<typeof setInterval> | undefined;
  private changeQueued = false;

  constructor(
    readonly api: ApiClient,
    readonly me: User,
    wsUrl: string,
  ) {
    super();
    this.blocks = new BlockList(api);
    this.socket = new RealtimeSocket(wsUrl, {
      ticket: async () => (await api.post<Ticket>('/chat/ticket')).ticket,
      frame: (frame) => this.onFrame(frame),
      state: (state) => {
        this.connection = state;
        this.changed();
      },
      opened: () => this.onOpened(),
    });
    this.outbox = new Outbox({
      api,
      sendFrame: (frame) => this.socket.send(frame),
      pendingOf: (peerId) => this.conversation(peerId).pending,
      accept: (message) => this.accept(message, false),
      changed: () => this.changed(),
    });
  }

  start(): void {
    void this.loadContacts();
    // Without the list the header offers Block rather than Unblock; the blocked-people panel loads it again.
    this.loadBlocks().catch(() => {});
    this.socket.start();
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  stop(): void {
    this.socket.stop();
    this.outbox.stop();
    clearInterval(this.sweepTimer);
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  reconnectNow(): void {
    this.socket.reconnectNow();
  }

  /** Contacts, most recent conversation first. */
  contactList(): ContactEntry[] {
    return this.contacts.list();
  }

  conversation(peerId: string): Conversation {
    let conversation = this.conversations.get(peerId);
    if (!conversation) {
      conversation = new Conversation(peerId, this.me.id);
      this.conversations.set(peerId, conversation);
    }
    return conversation;
  }

  peer(peerId: string): Person {
    return this.contacts.person(peerId);
  }

  /** Presence as last pushed; unknown (shown as offline) while our own connection is down. */
  isOnline(peerId: string): boolean {
    return this.connection === 'online' && this.contacts.isOnline(peerId);
  }

  /** Shows a conversation (from the contact list or a search result) and loads its newest page. */
  async open(person: Person): Promise<void> {
    this.contacts.remember(person, !this.blocks.has(person.id));
    this.activePeerId = person.id;
    const conversation = this.conversation(person.id);
    this.changed();
    if (!conversation.loaded) {
      await loadPage(this.api, conversation);
      this.changed();
    }
    this.markVisibleRead();
  }

  close(): void {
    this.activePeerId = null;
    this.changed();
  }

  /** The next older page (or the first one again after it failed to load). */
  async loadOlder(peerId: string): Promise<void> {
    const conversation = this.conversation(peerId);
    if (conversation.loading || (conversation.loaded && conversation.nextCursor === null)) return;
    const loading = loadPage(this.api, conversation);
    this.changed();
    await loading;
    this.changed();
  }

  /**
   * Optimistic send: shown at once as pending, confirmed by the ack (or the HTTP answer). It goes out
   * after the conversation's earlier messages are stored, so the peer sees them in the order written.
   */
  send(peerId: string, body: string): void {
    const pending: PendingMessage = {
      clientMsgId: crypto.randomUUID(),
      body,
      createdAt: new Date().toISOString(),
      state: 'queued',
      attemptAt: 0,
    };
    this.conversation(peerId).pending.push(pending);
    this.typingSentAt.delete(peerId);
    this.outbox.pump(peerId);
    this.changed();
  }

  /** Sends a failed message again (after an unblock, say), as the newest one. */
  retry(peerId: string, clientMsgId: string): void {
    const conversation = this.conversation(peerId);
    const failed = conversation.findPending(clientMsgId);
    if (failed?.state !== 'failed') return;
    conversation.pending = [...conversation.pending.filter((pending) => pending !== failed), failed];
    failed.state = 'queued';
    failed.error = undefined;
    this.outbox.pump(peerId);
    this.changed();
  }

  isBlocked(peerId: string): boolean {
    return this.blocks.has(peerId);
  }

  async loadBlocks(): Promise<void> {
    await this.blocks.load();
    for (const { user } of this.blocks.list()) this.contacts.forget(user.id);
    this.changed();
  }

  /** Blocks a person: the server refuses messages either way, and their conversation leaves the list. */
  async block(person: Person): Promise<void> {
    await this.blocks.block(person);
    this.contacts.remember(person, false);
    this.contacts.forget(person.id);
    this.changed();
  }

  /** Their conversation comes back to the list when one of you writes again. */
  async unblock(peerId: string): Promise<void> {
    await this.blocks.unblock(peerId);
    this.changed();
  }

  discard(peerId: string, clientMsgId: string): void {
    const conversation = this.conversation(peerId);
    conversation.pending = conversation.pending.filter((pending) => pending.clientMsgId !== clientMsgId);
    this.changed();
  }

  /** Called on input in the composer; sends at most one typing frame every few seconds. */
  typing(peerId: string): void {
    const now = Date.now();
    if (now - (this.typingSentAt.get(peerId) ?? 0) < TYPING_SEND_EVERY_MS) return;
    if (this.socket.send({ action: 'typing', to: peerId })) this.typingSentAt.set(peerId, now);
  }

  /** Reports the open conversation as read while the page is visible. */
  markVisibleRead(): void {
    const peerId = this.activePeerId;
    if (!peerId || document.visibilityState !== 'visible') return;
    const conversation = this.conversation(peerId);
    const newest = conversation.newestFromPeer();
    if (this.contacts.clearUnread(peerId)) this.changed();
    if (!newest || (conversation.myReadUpTo && compareIds(newest.id, conversation.myReadUpTo) <= 0)) return;
    conversation.myReadUpTo = newest.id;
    if (!this.socket.send({ action: 'markRead', peerId, upTo: newest.id })) {
      const path = `/chat/conversations/${encodeURIComponent(peerId)}/read`;
      this.api.post(path, { upTo: newest.id } satisfies MarkReadRequest).catch(() => {
        conversation.myReadUpTo = null;
      });
    }
  }

  private readonly onVisibility = (): void => this.markVisibleRead();

  private async loadContacts(): Promise<void> {
    let contacts: Contact[];
    try {
      ({ contacts } = await this.api.get<ContactsResponse>('/chat/contacts'));
    } catch {
      return;
    }
    this.contacts.apply(contacts.filter((contact) => !this.blocks.has(contact.user.id)));
    this.changed();
    this.markVisibleRead();
  }

  /** After every (re)connect: resume the outbox (same clientMsgIds, same order), then fetch what was missed. */
  private async onOpened(): Promise<void> {
    this.outbox.resume();
    await this.loadContacts();
    const loaded = [...this.conversations.values()].filter((conversation) => conversation.loaded);
    const results = await Promise.allSettled(loaded.map((conversation) => catchUp(this.api, conversation)));
    for (const result of results) {
      if (result.status === 'fulfilled') for (const message of result.value) this.noteLastMessage(message);
    }
    // Catch-up may have found the message that was out already stored.
    for (const conversation of loaded) this.outbox.pump(conversation.peerId);
    this.changed();
    this.markVisibleRead();
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'message':
      case 'ack':
        this.accept(frame.message, frame.type === 'message');
        break;
      case 'typing':
        this.onTyping(frame.from);
        break;
      case 'read':
        this.onRead(frame.by, frame.peerId, frame.upTo);
        break;
      case 'presence':
        this.contacts.setOnline(frame.userId, frame.online);
        this.changed();
        break;
      case 'error':
        this.onError(frame);
        break;
    }
  }

  /** A stored message from any source; `live` ones (pushed to us) count as unread unless on screen. */
  private accept(message: ChatMessage, live: boolean): void {
    const peerId = message.from === this.me.id ? message.to : message.from;
    const conversation = this.conversation(peerId);
    const hadPending = conversation.pending.length;
    const fresh = conversation.add(message);
    if (message.from === this.me.id) this.outbox.stored(peerId, message.clientMsgId);
    if (!fresh && hadPending === conversation.pending.length) return;
    this.noteLastMessage(message);
    if (live && message.from === peerId) {
      conversation.typingUntil = 0;
      if (this.activePeerId === peerId && document.visibilityState === 'visible') this.markVisibleRead();
      else this.contacts.addUnread(peerId);
    }
    this.changed();
  }

  private noteLastMessage(message: ChatMessage): void {
    const peerId = message.from === this.me.id ? message.to : message.from;
    if (this.blocks.has(peerId)) return;
    if (this.contacts.noteMessage(peerId, message)) void this.loadContacts();
  }

  private onTyping(from: string): void {
    this.conversation(from).typingUntil = Date.now() + TYPING_SHOWN_MS;
    setTimeout(() => this.changed(), TYPING_SHOWN_MS + 50);
    this.changed();
  }

  private onRead(by: string, peerId: string, upTo: string): void {
    if (by === this.me.id) {
      // Read on another of our devices.
      const conversation = this.conversation(peerId);
      conversation.myReadUpTo = newerId(conversation.myReadUpTo, upTo);
      this.contacts.clearUnread(peerId);
    } else {
      const conversation = this.conversation(by);
      conversation.peerReadUpTo = newerId(conversation.peerReadUpTo, upTo);
    }
    this.changed();
  }

  private onError(frame: ServerFrameOf<'error'>): void {
    const { clientMsgId } = frame;
    if (!clientMsgId) return;
    for (const [peerId, conversation] of this.conversations) {
      if (conversation.findPending(clientMsgId)) {
        this.outbox.rejected(peerId, clientMsgId, frame.code, frame.detail, frame.retryAfter);
        return;
      }
    }
  }

  private sweep(): void {
    this.outbox.sweep(Date.now());
  }

  /** Coalesces many updates in one task into one render. */
  private changed(): void {
    if (this.changeQueued) return;
    this.changeQueued = true;
    queueMicrotask(() => {
      this.changeQueued = false;
      this.dispatchEvent(new Event('change'));
    });
  }
}
