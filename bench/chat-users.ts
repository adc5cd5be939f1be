import { randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { AppDeps } from '../shared/http/app-deps.js';

export interface ChatUser {
  id: string;
  sessionId: string;
  accessToken: string;
}

/**
 * Users with a live session and an access token, written straight to the stores as registration and login
 * leave them (Postgres row, Redis user directory entry, session) — no bcrypt: hundreds of logins at cost 12
 * would take minutes and measure nothing realtime.
 */
export async function provisionChatUsers(deps: AppDeps, count: number): Promise<ChatUser[]> {
  const passwordHash = await bcrypt.hash(randomUUID(), 4);
  const tag = randomUUID().slice(0, 8);
  const one = async (n: number): Promise<ChatUser> => {
    const user = await deps.users.create({
      email: `ws-bench-${tag}-${n}@example.com`,
      passwordHash,
      displayName: `WS bench ${n}`,
    });
    await deps.directory.put({ id: user.id, displayName: user.displayName, updatedAt: user.createdAt });
    const nowMs = Date.now();
    const sessionId = randomUUID();
    const refreshId = randomUUID();
    const issuedAtSeconds = Math.floor(nowMs / 1000);
    await deps.sessions.create({
      userId: user.id,
      sessionId,
      refreshId,
      issuedAtSeconds,
      refreshExpiresAtMs: nowMs + 3_600_000,
      absoluteExpiresAtMs: nowMs + 3_600_000,
      createdAtMs: nowMs,
      user,
      userAgent: 'bench',
      ip: '198.51.100.7',
    });
    const { token } = await deps.tokens.signAccess({
      userId: user.id,
      sessionId,
      tokenId: refreshId,
      issuedAtSeconds,
      expiresAtSeconds: issuedAtSeconds + deps.policy.accessTtlSeconds,
    });
    return { id: user.id, sessionId, accessToken: token };
  };
  const users: ChatUser[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, (_, k) => one(i + k));
    users.push(...(await Promise.all(batch)));
  }
  return users;
}
