import { DAYS_PER_MONTH, type Workload } from './assumptions.js';
import { HOSTED_PRICES as H, type Price, UNPRICED } from './prices.js';
import type { Usage } from './usage.js';

/** A hosted product's list price for the workload; `monthlyUsd: null` when only a quote would tell. */
export interface HostedQuote {
  product: string;
  replaces: 'realtime messaging' | 'auth';
  monthlyUsd: number | null;
  basis: string;
  prices: Price[];
}

const FREE_COGNITO_MAU = 10_000;
const CLERK_INCLUDED_MAU = 50_000;

/** Deliveries a hosted pub/sub bills per chat frame: the publish and one per receiving socket. */
function pubSubMessages(w: Workload, usage: Usage): number {
  const frames = usage.counts.sendMessage + usage.counts.typing + usage.counts.markRead;
  return frames * (1 + w.recipientSocketsPerMessage);
}

function ably(w: Workload, usage: Usage): HostedQuote {
  const messages = pubSubMessages(w, usage);
  const packageFee =
    w.peakSockets <= 10_000 ? H.ablyStandardMonth : w.peakSockets <= 50_000 ? H.ablyProMonth : null;
  // One channel per connected user (their inbox), so channel-minutes equal connection-minutes.
  const minutes = 2 * usage.socketMinutes;
  return {
    product: 'Ably (per-minute pricing)',
    replaces: 'realtime messaging',
    monthlyUsd: packageFee
      ? packageFee.usd + (messages / 1e6) * H.ablyMessages.usd + (minutes / 1e6) * H.ablyConnectionMinutes.usd
      : null,
    basis: `${(messages / 1e6).toFixed(1)} M messages, ${(usage.socketMinutes / 1e6).toFixed(0)} M connection- and as many channel-minutes`,
    prices: [packageFee ?? H.ablyProMonth, H.ablyMessages, H.ablyConnectionMinutes],
  };
}

function pusher(w: Workload, usage: Usage): HostedQuote {
  const perDay = pubSubMessages(w, usage) / DAYS_PER_MONTH;
  const plan =
    w.peakSockets <= 10_000 && perDay <= 20e6
      ? H.pusherPremiumMonth
      : w.peakSockets <= 30_000 && perDay <= 90e6
        ? H.pusherGrowthPlusMonth
        : null;
  return {
    product: 'Pusher Channels',
    replaces: 'realtime messaging',
    monthlyUsd: plan?.usd ?? null,
    basis: `${(perDay / 1e6).toFixed(1)} M messages/day, ${w.peakSockets.toLocaleString('en-US')} peak connections`,
    prices: [plan ?? H.pusherGrowthPlusMonth],
  };
}

export function hostedQuotes(w: Workload, monthly: Usage): HostedQuote[] {
  const mau = w.monthlyActiveUsers;
  const billableCognito = Math.max(0, mau - FREE_COGNITO_MAU);
  const unpriced = UNPRICED.map(
    (item): HostedQuote => ({
      product: item.product,
      replaces: item.product === 'Auth0' ? 'auth' : 'realtime messaging',
      monthlyUsd: null,
      basis: `not priced: ${item.why} (${item.source})`,
      prices: [],
    }),
  );
  return [
    ably(w, monthly),
    pusher(w, monthly),
    ...unpriced.filter((quote) => quote.replaces === 'realtime messaging'),
    {
      product: 'Amazon Cognito, Essentials',
      replaces: 'auth',
      monthlyUsd: billableCognito * H.cognitoEssentialsMau.usd,
      basis: `${mau.toLocaleString('en-US')} MAU, ${FREE_COGNITO_MAU.toLocaleString('en-US')} free`,
      prices: [H.cognitoEssentialsMau],
    },
    {
      product: 'Amazon Cognito, Lite',
      replaces: 'auth',
      monthlyUsd: billableCognito * H.cognitoLiteMau.usd,
      basis: `${mau.toLocaleString('en-US')} MAU, ${FREE_COGNITO_MAU.toLocaleString('en-US')} free`,
      prices: [H.cognitoLiteMau],
    },
    {
      product: 'Clerk, Pro',
      replaces: 'auth',
      monthlyUsd: H.clerkProMonth.usd + Math.max(0, mau - CLERK_INCLUDED_MAU) * H.clerkExtraMau.usd,
      basis: `${mau.toLocaleString('en-US')} MAU, ${CLERK_INCLUDED_MAU.toLocaleString('en-US')} included`,
      prices: [H.clerkProMonth, H.clerkExtraMau],
    },
    ...unpriced.filter((quote) => quote.replaces === 'auth'),
  ];
}
