import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

interface FakeReply {
  status: number;
  /** Sent as `x-amzn-errortype`, which is how the AWS SDK names the exception. */
  errorType?: string;
}

interface RecordedRequest {
  method: string;
  path: string;
  body: string;
  atMs: number;
}

export interface FakeManagementApi {
  /** `http://127.0.0.1:<port>/local`, as `createPushGateway` expects. */
  endpoint: string;
  requests: RecordedRequest[];
  /** Answers the n-th request (0-based) of the current script. */
  answerWith(script: (index: number) => FakeReply): void;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** A scripted stand-in for API Gateway's @connections API, to drive the push gateway's retry paths. */
export async function startFakeManagementApi(): Promise<FakeManagementApi> {
  let script: (index: number) => FakeReply = () => ({ status: 200 });
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const atMs = performance.now();
    void readBody(req).then((body) => {
      const reply = script(requests.length);
      requests.push({ method: req.method ?? '', path: req.url ?? '', body, atMs });
      const payload = reply.status === 200 ? '' : JSON.stringify({ message: reply.errorType ?? 'error' });
      if (reply.errorType) res.setHeader('x-amzn-errortype', reply.errorType);
      res.setHeader('content-type', 'application/json');
      res.statusCode = reply.status;
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/local`,
    requests,
    answerWith(next) {
      script = next;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The AWS SDK signs every request, even to a local endpoint, so it needs some credentials. */
export function useDummyAwsCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
}
