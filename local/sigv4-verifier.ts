import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { DevCredentials } from './dev-credentials.js';

/** What the verifier needs from a received request; the body is represented by its SHA-256 (hex). */
export interface ReceivedRequest {
  method: string;
  /** The request target as received: raw (still percent-encoded) path plus query. */
  url: string;
  /** Header values by lower-case name, each repeated header kept (IncomingMessage.headersDistinct). */
  headers: Record<string, string[] | undefined>;
  bodySha256: string;
}

/** Why a request was refused, as API Gateway words it (`x-amzn-ErrorType` and message). */
export interface AuthFailure {
  errorType: string;
  message: string;
}

export interface SigV4VerifierOptions {
  credentials: readonly DevCredentials[];
  region: string;
  /** Default `execute-api`. */
  service?: string;
  /** Default 5 minutes, as AWS allows. */
  maxSkewMs?: number;
  now?: () => number;
}

type SignableRequest = Parameters<SignatureV4['presign']>[0];
type SecretInput = string | ArrayBuffer | ArrayBufferView;

/** node:crypto's SHA-256 and HMAC-SHA-256 in the shape @smithy/signature-v4 expects. */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: SecretInput) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

const toBytes = (data: SecretInput): Uint8Array | string =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const PAYLOAD_HASH = 'x-amz-content-sha256';

const fail = (errorType: string, message: string): AuthFailure => ({ errorType, message });
const incomplete = (message: string) => fail('IncompleteSignatureException', message);
const invalid = (message: string) => fail('InvalidSignatureException', message);
const MISMATCH = invalid(
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
);
const UNRECOGNIZED = fail(
  'UnrecognizedClientException',
  'The security token included in the request is invalid.',
);

function parseAmzDate(value: string | undefined): Date | undefined {
  const parts = AMZ_DATE.exec(value ?? '')
    ?.slice(1)
    .map(Number);
  if (!parts) return undefined;
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0] = parts;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const amzDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');

/** RFC 3986 query parsing (no `+` as space), as SigV4 canonicalises it; undefined when malformed. */
function parseQuery(query: string): Record<string, string[]> | undefined {
  const result: Record<string, string[]> = {};
  try {
    for (const pair of query.split('&').filter(Boolean)) {
      const [rawKey = '', ...rest] = pair.split('=');
      const key = decodeURIComponent(rawKey);
      result[key] = [...(result[key] ?? []), decodeURIComponent(rest.join('='))];
    }
  } catch {
    return undefined;
  }
  return result;
}

/**
 * Verifies AWS Signature V4 (header form) the way API Gateway's IAM auth does: the request is signed
 * again with the caller's claimed date and signed headers, and the two signatures are compared in constant
 * time. The payload hash is always the one computed from the received body, never the client's claim.
 */
export function createSigV4Verifier(options: SigV4VerifierOptions) {
  const service = options.service ?? 'execute-api';
  const maxSkewMs = options.maxSkewMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  const signers = new Map(
    options.credentials.map((credentials) => [
      credentials.accessKeyId,
      new SignatureV4({ credentials, region: options.region, service, sha256: NodeSha256 }),
    ]),
  );

  function checkDate(date: Date, raw: string): AuthFailure | undefined {
    const current = now();
    if (date.getTime() < current - maxSkewMs) {
      return invalid(
        `Signature expired: ${raw} is now earlier than ${amzDate(current - maxSkewMs)} (${amzDate(current)} - 5 min.)`,
      );
    }
    if (date.getTime() > current + maxSkewMs) {
      return invalid(
        `Signature not yet current: ${raw} is still later than ${amzDate(current + maxSkewMs)} (${amzDate(current)} + 5 min.)`,
      );
    }
    return undefined;
  }

  return async function verify(request: ReceivedRequest): Promise<AuthFailure | undefined> {
    const header = (name: string) => request.headers[name]?.join(',');
    const match = AUTHORIZATION.exec(header('authorization') ?? '');
    if (!match) {
      return incomplete(
        "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.",
      );
    }
    const [, accessKeyId = '', scopeDate, region, scopeService, signedHeaders = '', signature = ''] = match;
    const rawDate = header('x-amz-date') ?? '';
    const date = parseAmzDate(rawDate);
    if (!date) return incomplete("Authorization header requires existence of a valid 'X-Amz-Date' header.");
    const signed = signedHeaders.split(';');
    if (!signed.includes('host') || !signed.includes('x-amz-date')) {
      return incomplete("'Host' and 'X-Amz-Date' must be SignedHeaders in the AWS Authorization.");
    }
    const signer = signers.get(accessKeyId);
    // This emulator issues no session tokens, so a request carrying one comes from some other credential.
    if (!signer || request.headers['x-amz-security-token']) return UNRECOGNIZED;
    const stale = checkDate(date, rawDate);
    if (stale) return stale;
    if (scopeDate !== rawDate.slice(0, 8))
      return invalid('Date in Credential scope does not match X-Amz-Date.');
    if (region !== options.region) return invalid('Credential should be scoped to a valid region.');
    if (scopeService !== service)
      return invalid(`Credential should be scoped to correct service: '${service}'.`);

    const [path = '/', query = ''] = request.url.split(/\?(.*)/s);
    const parsedQuery = parseQuery(query);
    if (!parsedQuery) return MISMATCH;
    const headers: Record<string, string> = { [PAYLOAD_HASH]: request.bodySha256 };
    for (const name of signed) {
      const value = name === PAYLOAD_HASH ? request.bodySha256 : header(name);
      if (value === undefined) return MISMATCH;
      headers[name] = value;
    }
    const toSign: SignableRequest = {
      method: request.method,
      protocol: 'http:',
      hostname: header('host') ?? '',
      path,
      query: parsedQuery,
      headers,
    };
    const resigned = await signer.sign(toSign, {
      signingDate: date,
      signableHeaders: new Set(signed),
      unsignableHeaders: signed.includes(PAYLOAD_HASH) ? undefined : new Set([PAYLOAD_HASH]),
    });
    const expected = AUTHORIZATION.exec(String(resigned.headers.authorization));
    if (expected?.[5] !== signedHeaders) return MISMATCH;
    const matches = timingSafeEqual(Buffer.from(expected[6] ?? '', 'hex'), Buffer.from(signature, 'hex'));
    return matches ? undefined : MISMATCH;
  };
}

export type SigV4Verifier = ReturnType<typeof createSigV4Verifier>;
