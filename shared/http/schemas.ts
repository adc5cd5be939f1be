import { z } from '@hono/zod-openapi';
import type { Assert, Equals } from '../contract/equals.js';
import type * as Wire from '../contract/wire.js';
import { ERROR_CODES } from '../domain/errors.js';
import { hasForbiddenNameCharacters } from '../domain/text.js';

const noControlCharacters = (value: string): boolean => !hasForbiddenNameCharacters(value);

const EmailInput = z
  .string()
  .max(320)
  .refine(noControlCharacters, 'Email contains control or invisible characters')
  .openapi({ example: 'ada@example.com' });

const UserSchema = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    displayName: z.string(),
    createdAt: z.string().datetime(),
    emailVerified: z.boolean(),
  })
  .openapi('User');

const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(ERROR_CODES).openapi({ example: 'validation_failed' }),
    detail: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    userIds: z
      .array(z.string())
      .optional()
      .openapi({ description: '`invalid_members`: ids that do not exist or whose owner blocked the caller' }),
  })
  .openapi('Problem');

const Transport = z.enum(['cookie', 'token']).default('cookie');

export const RegisterBody = z
  .object({
    email: EmailInput,
    password: z.string().max(1024).openapi({ example: 'correct horse battery staple' }),
    displayName: z.string().max(256).openapi({ example: 'Ada Lovelace' }),
  })
  .openapi('RegisterRequest');

export const LoginBody = z
  .object({
    email: EmailInput,
    password: z.string().min(1).max(1024),
    transport: Transport.optional(),
  })
  .openapi('LoginRequest');

export const RefreshBody = z
  .object({ refreshToken: z.string().min(1).max(4096).optional() })
  .openapi('RefreshRequest');

export const LogoutBody = z
  .object({ refreshToken: z.string().min(1).max(4096).optional() })
  .openapi('LogoutRequest');

export const ChangePasswordBody = z
  .object({
    currentPassword: z.string().min(1).max(1024),
    newPassword: z.string().max(1024).openapi({ example: 'correct horse battery staple' }),
  })
  .openapi('ChangePasswordRequest');

export const VerifyEmailBody = z.object({ token: z.string().min(1).max(512) }).openapi('VerifyEmailRequest');

export const DeleteAccountBody = z
  .object({ password: z.string().min(1).max(1024) })
  .openapi('DeleteAccountRequest');

export const ForgotPasswordBody = z.object({ email: EmailInput }).openapi('ForgotPasswordRequest');

export const ForgotPasswordResponse = z.object({ message: z.string() }).openapi('ForgotPasswordAccepted');

export const ResetPasswordBody = z
  .object({
    token: z.string().max(512).openapi({ description: 'From the mailed link (`/#/reset-password?token=…`)' }),
    newPassword: z.string().max(1024).openapi({ example: 'correct horse battery staple' }),
  })
  .openapi('ResetPasswordRequest');

export const CookieSessionResponse = z
  .object({ user: UserSchema.optional(), accessTokenExpiresAt: z.string().datetime() })
  .openapi('CookieSession');

export const TokenSessionResponse = z
  .object({
    user: UserSchema.optional(),
    accessToken: z.string(),
    accessTokenExpiresAt: z.string().datetime(),
    refreshToken: z.string(),
    refreshTokenExpiresAt: z.string().datetime(),
  })
  .openapi('TokenSession');

const SessionSchema = z
  .object({
    id: z.string(),
    createdAt: z.string().datetime(),
    lastSeenAt: z.string().datetime(),
    expiresAt: z.string().datetime(),
    userAgent: z.string(),
    ip: z.string(),
    current: z.boolean(),
  })
  .openapi('Session');

export const SessionsResponse = z.object({ sessions: z.array(SessionSchema) });
export const UserResponse = z.object({ user: UserSchema });

const MessageSchema = z
  .object({
    id: z.string().openapi({ example: '1795719977653-0' }),
    conversationId: z.string(),
    from: z.string().uuid(),
    to: z.string().uuid(),
    body: z.string(),
    sentAt: z.string().datetime(),
    clientMsgId: z.string(),
  })
  .openapi('Message');

const PersonSchema = z.object({ id: z.string().uuid(), displayName: z.string() }).openapi('Person');

const GroupMessageSchema = z
  .object({
    id: z.string().openapi({ example: '1795719977653-0' }),
    groupId: z.string().uuid(),
    from: z.string().uuid(),
    body: z.string(),
    sentAt: z.string().datetime(),
    clientMsgId: z.string(),
  })
  .openapi('GroupMessage');

const GroupSchema = z
  .object({
    id: z.string().uuid(),
    name: z.string(),
    createdAt: z.string().datetime(),
    members: z.array(
      z.object({ id: z.string().uuid(), displayName: z.string(), role: z.enum(['admin', 'member']) }),
    ),
  })
  .openapi('Group');

const GroupContactSchema = z
  .object({
    group: z.object({ id: z.string().uuid(), name: z.string() }),
    lastMessage: GroupMessageSchema.nullable(),
    unread: z.number().int(),
    lastActivityAt: z.string().datetime(),
  })
  .openapi('GroupContact');

export const TicketResponse = z.object({ ticket: z.string(), expiresAt: z.string().datetime() });
export const PeopleResponse = z.object({ users: z.array(PersonSchema) });
export const ContactsResponse = z.object({
  contacts: z.array(
    z.object({
      user: PersonSchema,
      lastMessage: MessageSchema,
      unread: z.number().int(),
      online: z.boolean(),
    }),
  ),
  groups: z.array(GroupContactSchema),
});
export const MessagePageResponse = z.object({
  messages: z.array(MessageSchema),
  nextCursor: z.string().nullable(),
});
export const MessageResponse = z.object({ message: MessageSchema });
export const SendMessageBody = z.object({ body: z.string().max(20_000), clientMsgId: z.string().max(64) });
export const MarkReadBody = z.object({ upTo: z.string().max(40) });

export const GroupResponse = z.object({ group: GroupSchema });
export const GroupMessageResponse = z.object({ message: GroupMessageSchema });
export const GroupMessagePageResponse = z.object({
  messages: z.array(GroupMessageSchema),
  nextCursor: z.string().nullable(),
});
export const CreateGroupBody = z
  .object({
    name: z.string().max(400).openapi({ example: 'Book club' }),
    memberIds: z.array(z.string().max(64)).max(1000),
  })
  .openapi('CreateGroupRequest');
export const RenameGroupBody = z.object({ name: z.string().max(400) }).openapi('RenameGroupRequest');
export const AddGroupMembersBody = z
  .object({ userIds: z.array(z.string().max(64)).min(1).max(1000) })
  .openapi('AddGroupMembersRequest');

const BlockedSchema = z
  .object({
    user: z.object({ id: z.string().uuid(), displayName: z.string() }),
    blockedAt: z.string().datetime(),
  })
  .openapi('BlockedUser');
export const BlocksResponse = z.object({ blocks: z.array(BlockedSchema) });

// Compile-time only: each validator describes exactly its wire type (requests by what clients send, z.input).
type _WireChecks = [
  Assert<Equals<z.output<typeof UserSchema>, Wire.User>>,
  Assert<Equals<z.output<typeof ProblemSchema>, Wire.Problem>>,
  Assert<Equals<z.input<typeof RegisterBody>, Wire.RegisterRequest>>,
  Assert<Equals<z.input<typeof LoginBody>, Wire.LoginRequest>>,
  Assert<Equals<z.input<typeof RefreshBody>, Wire.RefreshRequest>>,
  Assert<Equals<z.input<typeof LogoutBody>, Wire.RefreshRequest>>,
  Assert<Equals<z.input<typeof ChangePasswordBody>, Wire.ChangePasswordRequest>>,
  Assert<Equals<z.input<typeof VerifyEmailBody>, Wire.VerifyEmailRequest>>,
  Assert<Equals<z.input<typeof DeleteAccountBody>, Wire.DeleteAccountRequest>>,
  Assert<Equals<z.input<typeof ForgotPasswordBody>, Wire.ForgotPasswordRequest>>,
  Assert<Equals<z.output<typeof ForgotPasswordResponse>, Wire.ForgotPasswordAccepted>>,
  Assert<Equals<z.input<typeof ResetPasswordBody>, Wire.ResetPasswordRequest>>,
  Assert<Equals<z.output<typeof CookieSessionResponse>, Wire.CookieSession>>,
  Assert<Equals<z.output<typeof TokenSessionResponse>, Wire.TokenSession>>,
  Assert<Equals<z.output<typeof SessionsResponse>, Wire.SessionsResponse>>,
  Assert<Equals<z.output<typeof UserResponse>, Wire.UserResponse>>,
  Assert<Equals<z.output<typeof MessageSchema>, Wire.ChatMessage>>,
  Assert<Equals<z.output<typeof TicketResponse>, Wire.Ticket>>,
  Assert<Equals<z.output<typeof PeopleResponse>, Wire.PeopleResponse>>,
  Assert<Equals<z.output<typeof ContactsResponse>, Wire.ContactsResponse>>,
  Assert<Equals<z.output<typeof MessagePageResponse>, Wire.MessagePage>>,
  Assert<Equals<z.output<typeof MessageResponse>, Wire.MessageResponse>>,
  Assert<Equals<z.input<typeof SendMessageBody>, Wire.SendMessageRequest>>,
  Assert<Equals<z.input<typeof MarkReadBody>, Wire.MarkReadRequest>>,
  Assert<Equals<z.output<typeof BlocksResponse>, Wire.BlocksResponse>>,
  Assert<Equals<z.output<typeof GroupResponse>, Wire.GroupResponse>>,
  Assert<Equals<z.output<typeof GroupMessageResponse>, Wire.GroupMessageResponse>>,
  Assert<Equals<z.output<typeof GroupMessagePageResponse>, Wire.GroupMessagePage>>,
  Assert<Equals<z.input<typeof CreateGroupBody>, Wire.CreateGroupRequest>>,
  Assert<Equals<z.input<typeof RenameGroupBody>, Wire.RenameGroupRequest>>,
  Assert<Equals<z.input<typeof AddGroupMembersBody>, Wire.AddGroupMembersRequest>>,
];

/** Standard error responses for a route, so every route documents its problem+json shapes. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: `Problem (${status})`,
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  );
}

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
