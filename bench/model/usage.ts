import { DAYS_PER_MONTH, HOURS_PER_MONTH, type Workload } from './assumptions.js';
import { OPERATION_NAMES, type OperationName } from './operations.js';

/** How many of each operation happen in some period, and the WebSocket connection-minutes. */
export interface Usage {
  counts: Record<OperationName, number>;
  socketMinutes: number;
}

const none = (): Record<OperationName, number> =>
  Object.fromEntries(OPERATION_NAMES.map((name) => [name, 0])) as Record<OperationName, number>;

/** One day of the workload. */
function dailyUsage(w: Workload): Usage {
  const users = w.dailyActiveUsers;
  const messages = users * w.messagesPerUserPerDay;
  const connections = users * w.connectionsPerUserPerDay;
  const socketMinutes = users * w.socketMinutesPerUserPerDay;
  return {
    counts: {
      sendMessage: messages,
      typing: messages * w.typingFramesPerMessage,
      markRead: messages * w.readMarksPerMessage,
      ping: (socketMinutes * 60) / w.pingIntervalSeconds,
      connect: connections,
      disconnect: connections,
      authenticatedRead: connections * w.httpCallsPerConnection + users * w.otherReadsPerUserPerDay,
      refresh: socketMinutes / w.accessTokenMinutes,
      login: users * w.loginsPerUserPerDay,
      signUp: users * w.signUpsPerUserPerDay,
      passwordReset: users * w.passwordResetsPerUserPerDay,
    },
    socketMinutes,
  };
}

function scaleUsage(usage: Usage, factor: number): Usage {
  const counts = none();
  for (const name of OPERATION_NAMES) counts[name] = usage.counts[name] * factor;
  return { counts, socketMinutes: usage.socketMinutes * factor };
}

export const monthlyUsage = (w: Workload): Usage => scaleUsage(dailyUsage(w), DAYS_PER_MONTH);

/** A million of one operation and nothing else. */
export function perMillion(name: OperationName): Usage {
  const counts = none();
  counts[name] = 1e6;
  return { counts, socketMinutes: 0 };
}

/** A million messages with the typing and read frames the workload sends beside each. */
export function perMillionMessagesWithFrames(w: Workload): Usage {
  const counts = none();
  counts.sendMessage = 1e6;
  counts.typing = 1e6 * w.typingFramesPerMessage;
  counts.markRead = 1e6 * w.readMarksPerMessage;
  return { counts, socketMinutes: 0 };
}

/** API Gateway closes every socket at 2 h, so a client connected all month reconnects this often. */
const MAX_CONNECTION_HOURS = 2;

/** `sockets` clients connected all month, sending nothing: keep-alive, reconnects, token refreshes. */
export function connectedForAMonth(w: Workload, sockets: number): Usage {
  const counts = none();
  const connections = (sockets * HOURS_PER_MONTH) / MAX_CONNECTION_HOURS;
  counts.ping = (sockets * HOURS_PER_MONTH * 3600) / w.pingIntervalSeconds;
  counts.connect = connections;
  counts.disconnect = connections;
  counts.authenticatedRead = connections * w.httpCallsPerConnection;
  counts.refresh = (sockets * HOURS_PER_MONTH * 60) / w.accessTokenMinutes;
  return { counts, socketMinutes: sockets * HOURS_PER_MONTH * 60 };
}

/** The busiest hour relative to the day's average: peak sockets over average sockets. */
export function peakFactor(w: Workload): number {
  const averageSockets = (w.dailyActiveUsers * w.socketMinutesPerUserPerDay) / (24 * 60);
  return w.peakSockets / averageSockets;
}

/** Operations per second in the busiest hour. */
export function peakRates(w: Workload): Record<OperationName, number> {
  const factor = peakFactor(w) / 86_400;
  return scaleUsage(dailyUsage(w), factor).counts;
}
