const BEARER = /^Bearer ([A-Za-z0-9\-_.]+)$/i;

/** The token of an `Authorization: Bearer <token>` header; null when the header is malformed or another scheme. */
export const parseBearer = (authorization: string): string | null =>
  BEARER.exec(authorization.trim())?.[1] ?? null;
