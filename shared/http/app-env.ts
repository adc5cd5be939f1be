import type { User } from '../domain/auth/ports.js';

/** How the caller authenticated; cookie-authenticated requests answer in cookie mode. */
export type CredentialSource = 'cookie' | 'bearer';

interface AuthContext {
  userId: string;
  sessionId: string;
  user: User;
  via: CredentialSource;
}

/** The slice of an API Gateway event the app reads; absent when running outside Lambda (tests, Node). */
interface GatewayBindings {
  event?: { requestContext?: { requestId?: string; http?: { sourceIp?: string } } };
}

export interface AppEnv {
  Bindings: GatewayBindings;
  Variables: { requestId: string; auth: AuthContext };
}
