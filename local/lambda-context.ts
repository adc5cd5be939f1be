import { randomBytes, randomUUID } from 'node:crypto';
import type { LambdaContext } from './http-gateway.js';

/** A Lambda `context` as the runtime passes it, with the remaining time counting down to `deadline`. */
export function createLambdaContext(functionName: string, deadline: number): LambdaContext {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
