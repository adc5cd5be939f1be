import type { ApiClient } from '../api/client.js';
import { hasCode } from '../api/problem.js';
import type {
  Contact,
  ContactsResponse,
  GroupContact,
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
import { type ContactRow, mergeContacts } from './contact-rows.js';
import { Conversation, type PendingMessage } from './conversation.js';
import { GroupBook, type GroupEntry } from './group-book.js';
import { catchUp, loadPage } from './history.js';
import { compareIds, newerId } from './message-id.js';
import { Outbox } from './outbox.js';
import {
  groupIdOf,
  groupKey,
  isGroupMessage,
  markReadFrame,
  readPath,
  type StoredMessage,
  type ThreadKey,
  threadOf,
  typingFrame,
} from './thread.js';

export type { ContactEntry, ContactRow, GroupEntry };

const TYPING_SEND_EVERY_MS = 2_500;
const TYPING_SHOWN_MS = 5_000;
const SWEEP_EVERY_MS = 3_000;

/**
 * Everything the signed-in screens show, kept consistent with the server: contacts and groups (recency,
 * unread, presence, members), conversations (keyed by thread, ./thread.ts), the outbox and the connection
 * state. Components listen for `change`.
 */
export class ChatStore extends EventTarget {
  readonly contacts = new ContactBook();
  readonly blocks: BlockList;
  readonly groups: GroupBook;
  readonly conversations = new Map<ThreadKey, Conversation>();
  activePeerId: string | null = null;
  activeGroupId: string | null = null;
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
    this.groups = new GroupBook(api);
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

  /** People and groups, most recent first; a conversation opened from search without messages yet leads. */
  contactList(): ContactRow[] {
    return mergeContacts(this.contacts.list(), this.groups.list());
  }

  /** The open conversation's thread, if any. */
  activeKey(): ThreadKey | null {
    return this.activeGroupId ? groupKey(this.activeGroupId) : this.activePeerId;
  }

  conversation(key: ThreadKey): Conversation {
    let conversation = this.conversations.get(key);
    if (!conversation) {
      conversation = new Conversation(key, this.me.id);
      this.conversations.set(key, conversation);
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
    this.activeGroupId = null;
    const conversation = this.conversation(person.id);
    this.changed();
    if (!conversation.loaded) {
      await loadPage(this.api, conversation);
      this.changed();
    }
    this.markVisibleRead();
  }

  /** Shows a group and loads its newest page and its members. */
  async openGroup(groupId: string): Promise<void> {
    this.activeGroupId = groupId;
    this.activePeerId = null;
    const conversation = this.conversation(groupKey(groupId));
    this.changed();
    const members = this.loadGroup(groupId);
    if (!conversation.loaded) await loadPage(this.api, conversation);
    await members;
    this.changed();
    this.markVisibleRead();
  }

  close(): void {
    this.activePeerId = null;
    this.activeGroupId = null;
    this.changed();
  }

  /** The next older page (or the first one again after it failed to load). */
  async loadOlder(key: ThreadKey): Promise<void> {
    const conversation = this.conversation(key);
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
  send(key: ThreadKey, body: string): void {
    const pending: PendingMessage = {
      clientMsgId: crypto.randomUUID(),
      body,
      createdAt: new Date().toISOString(),
      state: 'queued',
      attemptAt: 0,
    };
    this.conversation(key).pending.push(pending);
    this.typingSentAt.delete(key);
    this.outbox.pump(key);
    this.changed();
  }

  /** Sends a failed message again (after an unblock, say), as the newest one. */
  retry(key: ThreadKey, clientMsgId: string): void {
    const conversation = this.conversation(key);
    const failed = conversation.findPending(clientMsgId);
    if (failed?.state !== 'failed') return;
    conversation.pending = [...conversation.pending.filter((pending) => pending !== failed), failed];
    failed.state = 'queued';
    failed.error = undefined;
    this.outbox.pump(key);
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

  discard(key: ThreadKey, clientMsgId: string): void {
    const conversation = this.conversation(key);
    conversation.pending = conversation.pending.filter((pending) => pending.clientMsgId !== clientMsgId);
    this.changed();
  }

  /** Called on input in the composer; sends at most one typing frame every few seconds. */
  typing(key: ThreadKey): void {
    const now = Date.now();
    if (now - (this.typingSentAt.get(key) ?? 0) < TYPING_SEND_EVERY_MS) return;
    if (this.socket.send(typingFrame(key))) this.typingSentAt.set(key, now);
  }

  /** Reports the open conversation as read while the page is visible. */
  markVisibleRead(): void {
    const key = this.activeKey();
    if (!key || document.visibilityState !== 'visible') return;
    const groupId = groupIdOf(key);
    if (groupId === null ? this.contacts.clearUnread(key) : this.groups.clearUnread(groupId)) this.changed();
    if (groupId !== null && !this.groups.get(groupId)?.isMember) return;
    const conversation = this.conversation(key);
    const newest = conversation.newestFromOthers();
    if (!newest || (conversation.myReadUpTo && compareIds(newest.id, conversation.myReadUpTo) <= 0)) return;
    conversation.myReadUpTo = newest.id;
    if (!this.socket.send(markReadFrame(key, newest.id))) {
      this.api.post(readPath(key), { upTo: newest.id } satisfies MarkReadRequest).catch(() => {
        conversation.myReadUpTo = null;
      });
    }
  }

  /** `POST /chat/groups` with the caller as admin, then shows the new group. */
  async createGroup(name: string, memberIds: string[]): Promise<void> {
    const entry = await this.groups.create(name, memberIds);
    this.changed();
    await this.openGroup(entry.id);
  }

  async renameGroup(groupId: string, name: string): Promise<void> {
    await this.groups.rename(groupId, name);
    this.changed();
  }

  async addGroupMembers(groupId: string, userIds: string[]): Promise<void> {
    await this.groups.addMembers(groupId, userIds);
    this.changed();
  }

  /** Removes a member (admins); removing oneself is leaving: the group leaves the list at once. */
  async removeGroupMember(groupId: string, userId: string): Promise<void> {
    await this.groups.removeMember(groupId, userId);
    if (userId === this.me.id) this.groups.left(groupId, 'left');
    this.changed();
  }

  /** A group member's name for their messages (someone who has since left stays named). */
  memberName(userId: string): string {
    if (userId === this.me.id) return this.me.displayName;
    return this.groups.memberName(userId) ?? this.contacts.person(userId).displayName;
  }

  private readonly onVisibility = (): void => this.markVisibleRead();

  private async loadContacts(): Promise<void> {
    let contacts: Contact[];
    let groups: GroupContact[];
    const requestedAt = Date.now();
    try {
      ({ contacts, groups = [] } = await this.api.get<ContactsResponse>('/chat/contacts'));
    } catch {
      return;
    }
    this.contacts.apply(contacts.filter((contact) => !this.blocks.has(contact.user.id)));
    this.groups.apply(groups, requestedAt);
    this.changed();
    this.markVisibleRead();
  }

  /** After every (re)connect: resume the outbox (same clientMsgIds, same order), then fetch what was missed. */
  private async onOpened(): Promise<void> {
    this.outbox.resume();
    await this.loadContacts();
    const loaded = [...this.conversations.values()].filter(
      (conversation) => conversation.loaded && this.isMemberOf(conversation.key),
    );
    const results = await Promise.allSettled(loaded.map((conversation) => catchUp(this.api, conversation)));
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') for (const message of result.value) this.noteLastMessage(message);
      // Removed from a group while the socket was down (the frame went nowhere): 404, never 403.
      const groupId = groupIdOf(loaded[index]?.key ?? '');
      if (groupId !== null && result.status === 'rejected' && hasCode(result.reason, 'not_found')) {
        this.groups.left(groupId, 'removed');
      }
    });
    // Catch-up may have found the message that was out already stored.
    for (const conversation of loaded) this.outbox.pump(conversation.key);
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
        this.onTyping(frame.from, frame.from);
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
      case 'groupMessage':
      case 'groupAck':
        this.accept(frame.message, frame.type === 'groupMessage');
        break;
      case 'groupTyping':
        this.onTyping(groupKey(frame.groupId), frame.from);
        break;
      case 'groupRead':
        this.onGroupRead(frame.groupId, frame.upTo);
        break;
      case 'group':
        this.onGroupEvent(frame);
        break;
    }
  }

  /** A stored message from any source; `live` ones (pushed to us) count as unread unless on screen. */
  private accept(message: StoredMessage, live: boolean): void {
    const key = threadOf(message, this.me.id);
    const conversation = this.conversation(key);
    const hadPending = conversation.pending.length;
    const fresh = conversation.add(message);
    if (message.from === this.me.id) this.outbox.stored(key, message.clientMsgId);
    if (!fresh && hadPending === conversation.pending.length) return;
    this.noteLastMessage(message);
    if (live && message.from !== this.me.id) {
      if (conversation.typingFrom === message.from) conversation.typingUntil = 0;
      if (this.activeKey() === key && document.visibilityState === 'visible') this.markVisibleRead();
      else if (isGroupMessage(message)) this.groups.addUnread(message.groupId);
      else this.contacts.addUnread(key);
    }
    this.changed();
  }

  private noteLastMessage(message: StoredMessage): void {
    if (isGroupMessage(message)) {
      // A group we did not know of (joined while offline): its name and unread count come with the list.
      if (this.groups.noteMessage(message)) void this.loadContacts();
      else if (message.from !== this.me.id && this.groups.memberName(message.from) === undefined) {
        void this.loadGroup(message.groupId);
      }
      return;
    }
    const peerId = message.from === this.me.id ? message.to : message.from;
    if (this.blocks.has(peerId)) return;
    if (this.contacts.noteMessage(peerId, message)) void this.loadContacts();
  }

  private onTyping(key: ThreadKey, from: string): void {
    const conversation = this.conversation(key);
    conversation.typingUntil = Date.now() + TYPING_SHOWN_MS;
    conversation.typingFrom = from;
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

  /** Members and roles (who wrote a message from someone not seen yet). */
  private async loadGroup(groupId: string): Promise<void> {
    try {
      await this.groups.load(groupId);
      this.changed();
    } catch {
      // Shown as "Unknown user" until the group is opened.
    }
  }

  /** Direct conversations always; groups while the user is in them. */
  private isMemberOf(key: ThreadKey): boolean {
    const groupId = groupIdOf(key);
    return groupId === null || this.groups.get(groupId)?.isMember === true;
  }

  /** Read on another of our devices. */
  private onGroupRead(groupId: string, upTo: string): void {
    const conversation = this.conversation(groupKey(groupId));
    conversation.myReadUpTo = newerId(conversation.myReadUpTo, upTo);
    this.groups.clearUnread(groupId);
    this.changed();
  }

  /** Membership and name changes; a (re)join drops what was loaded before (history restarts there). */
  private onGroupEvent(frame: ServerFrameOf<'group'>): void {
    const { id } = frame.group;
    if (this.groups.applyEvent(frame, this.me.id, new Date().toISOString()) === 'joined') {
      this.conversations.delete(groupKey(id));
      if (this.activeGroupId === id) void this.openGroup(id);
    }
    this.changed();
  }

  private onError(frame: ServerFrameOf<'error'>): void {
    const { clientMsgId } = frame;
    if (!clientMsgId) return;
    for (const [key, conversation] of this.conversations) {
      if (conversation.findPending(clientMsgId)) {
        this.outbox.rejected(key, clientMsgId, frame.code, frame.detail, frame.retryAfter);
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
