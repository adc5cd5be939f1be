import type { ChatMessage, Contact, Person } from '../api/types.js';
import { compareIds } from './message-id.js';

export interface ContactEntry {
  user: Person;
  lastMessage?: ChatMessage;
  unread: number;
}

const directionOf = (peerId: string, message: ChatMessage): string =>
  `${message.from === peerId ? 'in' : 'out'}:${peerId}`;

/** The contact list as the client knows it: names, last messages, unread counts and presence. */
export class ContactBook {
  private readonly entries = new Map<string, ContactEntry>();
  private readonly presence = new Map<string, boolean>();
  /** Names of everyone seen, listed or not (a blocked person's open conversation still has a title). */
  private readonly names = new Map<string, Person>();
  /**
   * Which way messages are known to have gone in each conversation (`in:<peer>`, `out:<peer>`). Presence is
   * shown only inside a mutual conversation, so a first message either way is a reason to ask again.
   */
  private readonly directions = new Set<string>();

  /** Most recent conversation first; one opened from search without messages yet leads. */
  list(): ContactEntry[] {
    return [...this.entries.values()].sort((a, b) => {
      if (!a.lastMessage || !b.lastMessage) return a.lastMessage ? 1 : b.lastMessage ? -1 : 0;
      return compareIds(b.lastMessage.id, a.lastMessage.id);
    });
  }

  get(peerId: string): ContactEntry | undefined {
    return this.entries.get(peerId);
  }

  person(peerId: string): Person {
    return (
      this.entries.get(peerId)?.user ?? this.names.get(peerId) ?? { id: peerId, displayName: 'Unknown user' }
    );
  }

  /** Adds someone found by search (or refreshes their name); `listed: false` only learns the name. */
  remember(person: Person, listed = true): void {
    this.names.set(person.id, person);
    const entry = this.entries.get(person.id);
    if (entry) entry.user = person;
    else if (listed) this.entries.set(person.id, { user: person, unread: 0 });
  }

  /** Takes a conversation off the list (blocked); the name stays known. */
  forget(peerId: string): void {
    this.entries.delete(peerId);
    this.presence.delete(peerId);
    // A block ends the mutual conversation on the server: after an unblock it takes a message each way again.
    this.directions.delete(`in:${peerId}`);
    this.directions.delete(`out:${peerId}`);
  }

  isOnline(peerId: string): boolean {
    return this.presence.get(peerId) ?? false;
  }

  setOnline(peerId: string, online: boolean): void {
    this.presence.set(peerId, online);
  }

  clearUnread(peerId: string): boolean {
    const entry = this.entries.get(peerId);
    if (!entry || entry.unread === 0) return false;
    entry.unread = 0;
    return true;
  }

  addUnread(peerId: string): void {
    const entry = this.entries.get(peerId);
    if (entry) entry.unread += 1;
  }

  /** Takes the server's list (`GET /chat/contacts`) as the truth for unread counts and presence. */
  apply(contacts: readonly Contact[]): void {
    for (const contact of contacts) {
      const entry = this.entries.get(contact.user.id) ?? { user: contact.user, unread: 0 };
      entry.user = contact.user;
      this.names.set(contact.user.id, contact.user);
      if (!entry.lastMessage || compareIds(contact.lastMessage.id, entry.lastMessage.id) >= 0) {
        entry.lastMessage = contact.lastMessage;
      }
      entry.unread = contact.unread;
      this.directions.add(directionOf(contact.user.id, contact.lastMessage));
      this.entries.set(contact.user.id, entry);
      this.presence.set(contact.user.id, contact.online);
    }
  }

  /**
   * Records a message as its conversation's latest. True when the list should be reloaded: the peer was
   * unknown (their name is needed), the conversation is brand new, or it may just have become mutual (a
   * first message this way as far as we know, and the peer is not shown online: their presence is needed).
   */
  noteMessage(peerId: string, message: ChatMessage): boolean {
    const entry = this.entries.get(peerId);
    const direction = directionOf(peerId, message);
    const isNewDirection = !this.directions.has(direction) && !this.isOnline(peerId);
    this.directions.add(direction);
    if (!entry) {
      this.entries.set(peerId, { user: this.person(peerId), lastMessage: message, unread: 0 });
      return true;
    }
    if (!entry.lastMessage) {
      entry.lastMessage = message;
      return true;
    }
    if (compareIds(message.id, entry.lastMessage.id) > 0) entry.lastMessage = message;
    return isNewDirection;
  }
}
