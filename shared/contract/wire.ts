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

/** `GET /chat/contacts`, most recent first. */
export interface ContactsResponse {
  contacts: Contact[];
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
  | { action: 'ping' };
