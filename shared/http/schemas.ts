import { z } from '@hono/zod-openapi';
import { hasForbiddenNameCharacters } from '../domain/text.js';

const noControlCharacters = (value: string): boolean => !hasForbiddenNameCharacters(value);

export const EmailInput = z
  .string()
  .max(320)
  .refine(noControlCharacters, 'Email contains control or invisible characters')
  .openapi({ example: 'ada@example.com' });

export const UserSchema = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    displayName: z.string(),
    createdAt: z.string().datetime(),
  })
  .openapi('User');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ example: 'validation_failed' }),
    detail: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

export const Transport = z.enum(['cookie', 'token']).default('cookie');

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

export const SessionSchema = z
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
