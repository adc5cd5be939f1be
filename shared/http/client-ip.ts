import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Who the per-IP throttles count. Behind the Router (stacks/web.ts) API Gateway's `sourceIp` is a CloudFront
 * edge address, so the Router's viewer-request function (stacks/web-edge.ts) overwrites these two headers on
 * every API request: the viewer's address (CloudFront's `event.viewer.ip`) and a deploy-time secret that
 * proves the request went through it. Both are honoured only together; X-Forwarded-For never is.
 */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';
export const VIEWER_ADDRESS_HEADER = 'x-viewer-address';

/** Constant-time equality; unequal lengths (and an unset secret) are simply "no". */
export function isVerifiedOrigin(presented: string | undefined, secret: string | undefined): boolean {
  if (!secret || presented === undefined) return false;
  const [a, b] = [Buffer.from(presented, 'utf8'), Buffer.from(secret, 'utf8')];
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The IP of a viewer address: a bare IPv4/IPv6 address, `ipv4:port`, `[ipv6]:port` or `[ipv6]`, or as
 * CloudFront-Viewer-Address writes IPv6, `ipv6:port` (read as such only when the whole value is not itself a
 * valid address). Undefined when no valid IP can be read.
 */
export function parseViewerAddress(value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (text.startsWith('[')) {
    const match = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(text);
    return match?.[1] && isIP(match[1]) === 6 ? match[1] : undefined;
  }
  if (isIP(text)) return text;
  const match = /^(.+):\d{1,5}$/.exec(text);
  return match?.[1] && isIP(match[1]) ? match[1] : undefined;
}

export interface ClientIpInput {
  /** The TCP peer as API Gateway saw it. */
  sourceIp: string;
  header: (name: string) => string | undefined;
  /** ORIGIN_VERIFY_SECRET; unset means the viewer headers are never trusted. */
  originVerifySecret: string | undefined;
}

/** The viewer's IP for a request the Router vouches for, else the gateway source IP. */
export function clientIp({ sourceIp, header, originVerifySecret }: ClientIpInput): string {
  if (!isVerifiedOrigin(header(ORIGIN_VERIFY_HEADER), originVerifySecret)) return sourceIp;
  return parseViewerAddress(header(VIEWER_ADDRESS_HEADER)) ?? sourceIp;
}
