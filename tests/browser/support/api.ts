import { expect } from 'vitest';
import type {
  ContactsResponse,
  CreateGroupRequest,
  GroupMessagePage,
  GroupResponse,
  MessagePage,
  SendMessageRequest,
  TokenSession,
} from '../../../shared/contract/wire.js';
import type { Person } from './chat-ui.js';

/** Direct API calls (token transport) for seeding and for checking what the server stored. */
export class ApiSession {
  private constructor(
    private readonly baseUrl: string,
    private readonly accessToken: string,
    readonly userId: string,
  ) {}

  static async register(baseUrl: string, person: Person): Promise<ApiSession> {
    const created = await fetch(`${baseUrl}/auth/register`, json(person));
    expect(created.status, await created.clone().text()).toBe(201);
    return ApiSession.login(baseUrl, person);
  }

  static async login(baseUrl: string, person: Person): Promise<ApiSession> {
    const res = await fetch(`${baseUrl}/auth/login`, json({ ...person, transport: 'token' }));
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as Required<TokenSession>;
    return new ApiSession(baseUrl, body.accessToken, body.user.id);
  }

  async send(peerId: string, body: string): Promise<void> {
    const res = await fetch(`${this.baseUrl}/chat/conversations/${peerId}/messages`, {
      ...json({ body, clientMsgId: crypto.randomUUID() } satisfies SendMessageRequest),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.accessToken}` },
    });
    expect(res.status, await res.clone().text()).toBe(201);
  }

  /** Peer ids of the user's conversations, most recent first. */
  async contacts(): Promise<string[]> {
    const res = await fetch(`${this.baseUrl}/chat/contacts`, {
      headers: { authorization: `Bearer ${this.accessToken}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as ContactsResponse;
    return body.contacts.map((contact) => contact.user.id);
  }

  /** Every message body of the conversation with a peer, oldest first. */
  async history(peerId: string): Promise<string[]> {
    const bodies: string[] = [];
    let before: string | null = null;
    do {
      const query = new URLSearchParams({ limit: '100', ...(before ? { before } : {}) });
      const res = await fetch(`${this.baseUrl}/chat/conversations/${peerId}/messages?${query}`, {
        headers: { authorization: `Bearer ${this.accessToken}` },
      });
      expect(res.status).toBe(200);
      const page = (await res.json()) as MessagePage;
      bodies.push(...page.messages.map((message) => message.body));
      before = page.nextCursor;
    } while (before);
    return bodies.reverse();
  }

  /** `POST /chat/groups` with this user as admin; the new group's id. */
  async createGroup(name: string, memberIds: string[]): Promise<string> {
    const res = await fetch(`${this.baseUrl}/chat/groups`, {
      ...json({ name, memberIds } satisfies CreateGroupRequest),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.accessToken}` },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return ((await res.json()) as GroupResponse).group.id;
  }

  /** The group's message bodies this user may read (from their latest join on), oldest first. */
  async groupHistory(groupId: string): Promise<string[]> {
    const res = await fetch(`${this.baseUrl}/chat/groups/${groupId}/messages?limit=100`, {
      headers: { authorization: `Bearer ${this.accessToken}` },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const page = (await res.json()) as GroupMessagePage;
    return page.messages.map((message) => message.body).reverse();
  }
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Status of `GET /me` sent with just these cookies (`name=value` pairs), as a replayed session would. */
export async function meWithCookies(baseUrl: string, cookies: string): Promise<number> {
  const res = await fetch(`${baseUrl}/me`, { headers: { cookie: cookies } });
  return res.status;
}
