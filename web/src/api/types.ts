/**
 * The public contract (DESIGN.md §5) as the client reads it: re-exported from the one declaration the server
 * is compiled against, so a change on either side that the other does not follow fails `tsc -p web`.
 */
export type {
  BlockedPerson,
  BlocksResponse,
  ChangePasswordRequest,
  ChatMessage,
  ClientFrame,
  Contact,
  ContactsResponse,
  CookieSession,
  DeleteAccountRequest,
  ErrorCode,
  FieldError,
  LoginRequest,
  MarkReadRequest,
  MessagePage,
  MessageResponse,
  PeopleResponse,
  Person,
  RegisterRequest,
  SendMessageRequest,
  ServerFrame,
  ServerFrameOf,
  ServerFrameType,
  Session,
  SessionsResponse,
  Ticket,
  User,
  UserResponse,
} from '../../../shared/contract/wire.js';
