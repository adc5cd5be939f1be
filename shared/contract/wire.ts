/**
 * The public wire contract (DESIGN.md §5, README "HTTP API" and "WebSocket API"): every JSON shape a client
 * sends or reads, declared once. Types only, no runtime imports, so the server, the browser client (`web/`)
 * and the tests all compile against the same declarations; the zod schemas that validate these shapes at
 * runtime are checked against them with `Equals` (./equals.ts).
 */
import type { ErrorCode } from '../domain/errors.js';

export type { ErrorCode };

/** A direct message as the API shows it; `id` is the server-assigned, ordered stream id (`<ms>-<seq>`). */
export interface ChatMessage {
  id: string;
  conversationId: string;
  from: string;
  to: string;
  body: string;
  /** ISO timestamp taken from the id, i.e. the moment the server stored the message. */
  sentAt: string;
  clientMsgId: string;
}

/** The signed-in user (`GET /me`, register and login answers). */
export interface User {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
  /** The owner opened the link mailed to `email`. Until then nobody finds the account by its email. */
  emailVerified: boolean;
}

/** Someone else, as search results, contacts and block lists show them: never their email. */
export interface Person {
  id: string;
  displayName: string;
}

/** One row of `GET /chat/contacts`; `online` only inside a mutual conversation. */
export interface Contact {
  user: Person;
  lastMessage: ChatMessage;
  unread: number;
  online: boolean;
}

/** A group member's powers: admins rename the group and add or remove members; anyone may leave. */
export type GroupRole = 'admin' | 'member';

/** One member of a group, in join order (the longest-standing first). */
export interface GroupMember {
  id: string;
  displayName: string;
  role: GroupRole;
}

/** A group conversation as its members see it; `id` is random and unguessable. */
export interface Group {
  id: string;
  name: string;
  createdAt: string;
  members: GroupMember[];
}

/** A message in a group: like `ChatMessage`, with `groupId` in place of `conversationId` and no `to`. */
export interface GroupMessage {
  id: string;
  groupId: string;
  from: string;
  body: string;
  sentAt: string;
  clientMsgId: string;
}

/**
 * One group row of `GET /chat/contacts`. `lastActivityAt` is the last message's `sentAt`, or when the caller
 * joined if nothing was said since: merge with people rows by it (`lastMessage.sentAt` there).
 */
export interface GroupContact {
  group: { id: string; name: string };
  lastMessage: GroupMessage | null;
  /** Messages after the caller's read mark (the caller's own sends move the mark). */
  unread: number;
  lastActivityAt: string;
}

/** What happened to a group's membership or name (`{type: "group"}` frames). */
export type GroupEvent = 'created' | 'renamed' | 'member_added' | 'member_removed';

/** `GET /chat/groups/{id}/messages`: newest first, only from the caller's latest join on. */
export interface GroupMessagePage {
  messages: GroupMessage[];
  nextCursor: string | null;
}

/** `GET /chat/conversations/{userId}/messages`: newest first; pass `nextCursor` as `before` for older ones. */
export interface MessagePage {
  messages: ChatMessage[];
  nextCursor: string | null;
}

/** Someone the user blocked (`GET /chat/blocks`). */
export interface BlockedPerson {
  user: Person;
  blockedAt: string;
}

/** One live session (`GET /auth/sessions`). */
export interface Session {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  userAgent: string;
  ip: string;
  current: boolean;
}

/** `POST /chat/ticket`: a single-use WebSocket handshake ticket. */
export interface Ticket {
  ticket: string;
  expiresAt: string;
}

/** Login and refresh in cookie mode: the tokens travel only in HttpOnly cookies. Refresh answers carry no user. */
export interface CookieSession {
  user?: User;
  accessTokenExpiresAt: string;
}

/** Login and refresh in token mode. Refresh answers carry no user. */
export interface TokenSession {
  user?: User;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

/** `POST /auth/login` and `/auth/refresh`: where the tokens travel (cookies for browsers, the body otherwise). */
type Transport = 'cookie' | 'token';

export interface RegisterRequest {
  email: string;
  password: string;
  displayName: string;
}

export interface LoginRequest {
  email: string;
  password: string;
  /** Defaults to `cookie`. */
  transport?: Transport;
}

/** `POST /auth/refresh` and `/auth/logout` in token mode; cookie mode sends the refresh cookie instead. */
export interface RefreshRequest {
  refreshToken?: string;
}

/** `POST /auth/password` (signed in): the other sessions end, this one stays. */
export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

/** `POST /auth/email/verify`: the token from the mailed link (`/#/verify-email?token=…`). */
export interface VerifyEmailRequest {
  token: string;
}

/** `DELETE /me`: the password again, so a session left open on a shared computer cannot delete the account. */
export interface DeleteAccountRequest {
  password: string;
}

/** `POST /auth/password/forgot`: 202 with `ForgotPasswordAccepted` whether or not the address has an account. */
export interface ForgotPasswordRequest {
  email: string;
}

/** The one answer `forgot` gives (the same for every address, so it cannot tell whether an account exists). */
export interface ForgotPasswordAccepted {
  message: string;
}

/** `POST /auth/password/reset`: the token from the mailed link (`/#/reset-password?token=…`) and the new password. */
export interface ResetPasswordRequest {
  token: string;
  newPassword: string;
}

/** `POST /chat/conversations/{userId}/messages`; the same `clientMsgId` on every retry stores it once. */
export interface SendMessageRequest {
  body: string;
  clientMsgId: string;
}

/** `POST /chat/conversations/{userId}/read`: the newest message id seen. */
export interface MarkReadRequest {
  upTo: string;
}

/** `POST /chat/groups`: the caller becomes the admin; 1–100 characters of name, at most 255 others. */
export interface CreateGroupRequest {
  name: string;
  memberIds: string[];
}

/** `PATCH /chat/groups/{id}` (admins). */
export interface RenameGroupRequest {
  name: string;
}

/** `POST /chat/groups/{id}/members` (admins); ids already in the group are ignored. */
export interface AddGroupMembersRequest {
  userIds: string[];
}

/** `POST /chat/groups`, `GET`/`PATCH /chat/groups/{id}`, `POST /chat/groups/{id}/members`. */
export interface GroupResponse {
  group: Group;
}

/** `POST /chat/groups/{id}/messages`: 201 stored now, 200 stored before (same clientMsgId). */
export interface GroupMessageResponse {
  message: GroupMessage;
}

/** `GET /me`, `POST /auth/register`. */
export interface UserResponse {
  user: User;
}

/** `GET /auth/sessions`, newest first. */
export interface SessionsResponse {
  sessions: Session[];
}

/** `GET /users?query=`. */
export interface PeopleResponse {
  users: Person[];
}

/**
 * `GET /chat/contacts`: people and groups the caller belongs to, each most recent first; the limit applies to
 * both merged by recency. Groups sit in their own array so clients that know only people keep working.
 */
export interface ContactsResponse {
  contacts: Contact[];
  groups: GroupContact[];
}

/** `GET /chat/blocks`, most recent first. */
export interface BlocksResponse {
  blocks: BlockedPerson[];
}

/** `POST /chat/conversations/{userId}/messages`: 201 stored now, 200 stored before (same clientMsgId). */
export interface MessageResponse {
  message: ChatMessage;
}

/** One invalid field of a request or frame. */
export interface FieldError {
  path: string;
  message: string;
}

/** Every HTTP error: RFC 9457 `application/problem+json` with a stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  requestId: string;
  errors?: FieldError[];
  /** `invalid_members`: the ids that do not exist or whose owner has blocked the caller. */
  userIds?: string[];
}

/** Everything the server pushes to a socket. */
export type ServerFrame =
  | { type: 'message'; message: ChatMessage }
  /** To the sender; `duplicate` when this clientMsgId was already stored (`message` is the original). */
  | { type: 'ack'; clientMsgId: string; message: ChatMessage; duplicate: boolean }
  | { type: 'typing'; from: string }
  /** `by` read the conversation with `peerId` up to `upTo` (sent to the reader's other sockets too). */
  | { type: 'read'; by: string; peerId: string; upTo: string }
  | { type: 'presence'; userId: string; online: boolean }
  | { type: 'pong' }
  /** A message in one of the user's groups (never to the socket that sent it: that one gets `groupAck`). */
  | { type: 'groupMessage'; message: GroupMessage }
  /** To the sending socket; `duplicate` when this clientMsgId was already stored (`message` is the original). */
  | { type: 'groupAck'; clientMsgId: string; message: GroupMessage; duplicate: boolean }
  | { type: 'groupTyping'; groupId: string; from: string }
  /** The user read the group up to `upTo` on another of their devices. */
  | { type: 'groupRead'; groupId: string; by: string; upTo: string }
  /**
   * A membership or name change, to every member's sockets and, for `member_removed`, the removed member's.
   * `userIds`: who was added or removed (empty for created and renamed); `by`: who did it.
   */
  | { type: 'group'; event: GroupEvent; group: Group; userIds: string[]; by: string }
  /** `retryAfter`: seconds to wait before retrying (rate limits). */
  | { type: 'error'; code: ErrorCode; detail: string; clientMsgId?: string; retryAfter?: number };

export type ServerFrameType = ServerFrame['type'];

/** The server frame of one type. */
export type ServerFrameOf<K extends ServerFrameType> = Extract<ServerFrame, { type: K }>;

/** Every frame a client may send; the action is the API Gateway route key (`$request.body.action`). */
export type ClientFrame =
  | { action: 'sendMessage'; to: string; body: string; clientMsgId: string }
  | { action: 'typing'; to: string }
  | { action: 'markRead'; peerId: string; upTo: string }
  | { action: 'ping' }
  | GroupClientFrame;

/** The group forms of the client frames: `groupId` in place of `to` / `peerId`. */
export type GroupClientFrame =
  | { action: 'sendMessage'; groupId: string; body: string; clientMsgId: string }
  | { action: 'typing'; groupId: string }
  | { action: 'markRead'; groupId: string; upTo: string };
