import { ApiError, networkError, problemFrom } from './problem.js';
import type {
  ChangePasswordRequest,
  CookieSession,
  DeleteAccountRequest,
  ForgotPasswordRequest,
  LoginRequest,
  RegisterRequest,
  ResetPasswordRequest,
  User,
  VerifyEmailRequest,
} from './types.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Refresh this long before the access token expires (the server's clock and ours may differ a little). */
const REFRESH_LEAD_MS = 60_000;
const MIN_REFRESH_DELAY_MS = 5_000;
const REFRESH_RETRY_MS = 15_000;
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A 401 that means "no usable session" (worth a refresh). `invalid_credentials` is a 401 too, but on a signed-in
 * call (password change, account deletion) it only says the password typed was wrong.
 */
const isUnauthorized = (error: unknown): boolean =>
  error instanceof ApiError && error.status === 401 && error.code !== 'invalid_credentials';

/**
 * Same-origin JSON calls that rely on the HttpOnly session cookies (no token ever reaches JavaScript).
 * The access cookie is refreshed shortly before it expires, and any 401 is answered by one refresh and
 * one retry; when the refresh itself is refused the session is over and `onSessionEnded` runs.
 */
export class ApiClient {
  onSessionEnded: () => void = () => {};
  private refreshing: Promise<boolean> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body);
  }

  delete(path: string): Promise<void> {
    return this.call<void>('DELETE', path);
  }

  async register(email: string, password: string, displayName: string): Promise<void> {
    await this.send('POST', '/auth/register', { email, password, displayName } satisfies RegisterRequest);
  }

  async login(email: string, password: string): Promise<User> {
    const response = await this.send('POST', '/auth/login', {
      email,
      password,
      transport: 'cookie',
    } satisfies LoginRequest);
    const answer = (await response.json()) as CookieSession;
    this.scheduleRefresh(answer.accessTokenExpiresAt);
    if (!answer.user) throw new ApiError(500, 'internal_error', 'Sign-in answer had no user');
    return answer.user;
  }

  /** Ends this session on the server and expires the cookies; idempotent. */
  async logout(): Promise<void> {
    this.cancelRefresh();
    await this.send('POST', '/auth/logout', {});
  }

  /** Revokes every session of the user (this one included). */
  async logoutAll(): Promise<void> {
    await this.call<void>('POST', '/auth/logout-all', {});
    this.cancelRefresh();
  }

  /** `POST /auth/password`: this session stays signed in, every other one is revoked. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    await this.call<void>('POST', '/auth/password', {
      currentPassword,
      newPassword,
    } satisfies ChangePasswordRequest);
  }

  /** `DELETE /me`: the account and every session end; the server expires the cookies. */
  async deleteAccount(password: string): Promise<void> {
    await this.call<void>('DELETE', '/me', { password } satisfies DeleteAccountRequest);
    this.cancelRefresh();
  }

  /** `POST /auth/password/forgot`: 202 whether or not the address has an account (no session needed). */
  async forgotPassword(email: string): Promise<void> {
    await this.send('POST', '/auth/password/forgot', { email } satisfies ForgotPasswordRequest);
  }

  /** `POST /auth/password/reset` with the mailed token; every session of the user ends. */
  async resetPassword(token: string, newPassword: string): Promise<void> {
    await this.send('POST', '/auth/password/reset', { token, newPassword } satisfies ResetPasswordRequest);
  }

  /** `POST /auth/email/verify` with the mailed token (works in any browser, signed in or not). */
  async verifyEmail(token: string): Promise<void> {
    await this.send('POST', '/auth/email/verify', { token } satisfies VerifyEmailRequest);
  }

  /** `POST /auth/email/verify/resend` (signed in): 202, a new verification mail. */
  async resendVerification(): Promise<void> {
    await this.call<void>('POST', '/auth/email/verify/resend', {});
  }

  /**
   * Rotates the cookies (single flight: parallel callers share one request). Resolves false when the
   * server refuses the refresh cookie, i.e. there is no session; rejects on network or server trouble.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.rotate().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  cancelRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  private async rotate(): Promise<boolean> {
    let response: Response;
    try {
      response = await this.send('POST', '/auth/refresh', {});
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.cancelRefresh();
        return false;
      }
      throw error;
    }
    const answer = (await response.json()) as CookieSession;
    this.scheduleRefresh(answer.accessTokenExpiresAt);
    return true;
  }

  private scheduleRefresh(expiresAt: string): void {
    this.cancelRefresh();
    const due = Date.parse(expiresAt) - Date.now() - REFRESH_LEAD_MS;
    this.startRefreshTimer(Number.isFinite(due) ? due : MIN_REFRESH_DELAY_MS);
  }

  private startRefreshTimer(delayMs: number): void {
    const delay = Math.min(MAX_TIMER_MS, Math.max(MIN_REFRESH_DELAY_MS, delayMs));
    this.refreshTimer = setTimeout(() => {
      this.refresh().then(
        (alive) => {
          if (!alive) this.onSessionEnded();
        },
        // Offline or a server hiccup: try again soon; a 401 on the next call refreshes anyway.
        () => this.startRefreshTimer(REFRESH_RETRY_MS),
      );
    }, delay);
  }

  private async call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.send(method, path, body);
    } catch (error) {
      if (!isUnauthorized(error)) throw error;
      if (!(await this.refresh())) {
        this.onSessionEnded();
        throw error;
      }
      try {
        response = await this.send(method, path, body);
      } catch (retryError) {
        // Fresh cookies and still refused: the session is not usable from this browser.
        if (isUnauthorized(retryError)) this.onSessionEnded();
        throw retryError;
      }
    }
    // 204, and 202s that carry no body (accepted, nothing to say).
    const text = response.status === 204 ? '' : await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async send(method: Method, path: string, body?: unknown): Promise<Response> {
    const init: RequestInit = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(path, init);
    } catch {
      throw networkError();
    }
    if (!response.ok) throw await problemFrom(response);
    return response;
  }
}
