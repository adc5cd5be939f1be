import { FUNCTIONS } from '../stacks/function-specs.js';
import { type FigureResult, type Row, times } from './report.js';

/** Lambda on-demand prices the issue names (x86; arm64, as deployed, is 20 % cheaper per GB-s, same ratios). */
const PRICE_PER_GB_SECOND = 0.0000166667;
const PRICE_PER_MILLION_REQUESTS = 0.2;
/** Lambda gives a function CPU in proportion to memory: one full vCPU at 1,769 MB. */
const ONE_VCPU_MB = 1769;

/** Measured p50s from this run (in-process, one core: what 1,769 MB buys on Lambda). */
export interface RightSizeInputs {
  loginWallMs: number;
  loginCpuMs: number;
  meWallMs: number;
  meCpuMs: number;
  /** The HTTP function's cold module import (INIT is billed too). */
  httpInitMs: number;
}

const dollars = (value: number): string => `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;

/**
 * Figure 8 (issue 9 item 3): Lambda cost per million logins and per million `GET /me`, one HTTP function vs an
 * auth function (bcrypt, Postgres) beside a lean one. Billed duration is rounded up to the millisecond; a
 * function below one vCPU stretches its CPU time by 1,769 MB / its memory, its waits stay as they are.
 */
export function rightSize(inputs: RightSizeInputs): FigureResult {
  const figure = '8 right-size (cost)';
  // As deployed (stacks/function-specs.ts); a lean function would be sized like the WebSocket ones.
  const httpMb = FUNCTIONS.http.memoryMb;
  const leanMb = FUNCTIONS.wsMessage.memoryMb;
  const durationAt = (wallMs: number, cpuMs: number, mb: number): number =>
    cpuMs * Math.max(1, ONE_VCPU_MB / mb) + Math.max(0, wallMs - cpuMs);
  const perMillion = (durationMs: number, mb: number): number =>
    1e6 * Math.ceil(durationMs) * (mb / 1024 / 1000) * PRICE_PER_GB_SECOND + PRICE_PER_MILLION_REQUESTS;
  const login = durationAt(inputs.loginWallMs, inputs.loginCpuMs, httpMb);
  const meOne = durationAt(inputs.meWallMs, inputs.meCpuMs, httpMb);
  const meLean = durationAt(inputs.meWallMs, inputs.meCpuMs, leanMb);
  const cost = {
    loginOne: perMillion(login, httpMb),
    loginSplit: perMillion(login, httpMb),
    meOne: perMillion(meOne, httpMb),
    meSplit: perMillion(meLean, leanMb),
    initPerMillionColdStarts: 1e6 * (inputs.httpInitMs / 1000) * (httpMb / 1024) * PRICE_PER_GB_SECOND,
  };
  const row = (measurement: string, value: number, reference: string, ratio = '—'): Row => ({
    figure,
    measurement,
    value: dollars(value),
    reference,
    ratio,
    target: '—',
    status: 'info',
  });
  const billed = (ms: number, mb: number) => `${Math.ceil(ms)} ms billed × ${mb} MB + $0.20 requests`;
  const rows: Row[] = [
    row(`per 1M logins, one function (${httpMb} MB)`, cost.loginOne, billed(login, httpMb)),
    row(
      `per 1M logins, split: auth function (${httpMb} MB)`,
      cost.loginSplit,
      'bcrypt needs the full vCPU either way',
      times(cost.loginSplit / cost.loginOne),
    ),
    row(`per 1M GET /me, one function (${httpMb} MB)`, cost.meOne, billed(meOne, httpMb)),
    row(
      `per 1M GET /me, split: lean function (${leanMb} MB)`,
      cost.meSplit,
      billed(meLean, leanMb),
      times(cost.meSplit / cost.meOne),
    ),
    row(
      `INIT per 1M cold starts, http (${httpMb} MB)`,
      cost.initPerMillionColdStarts,
      `${inputs.httpInitMs.toFixed(0)} ms module import (figure 5)`,
    ),
  ];
  const saving = cost.meOne - cost.meSplit;
  return {
    rows,
    raw: { inputs, httpMb, leanMb, durations: { login, meOne, meLean }, cost },
    notes: [
      `Right-size: a split saves ${dollars(saving)} per million GET /me (${((100 * saving) / cost.meOne).toFixed(0)} % of ` +
        `${dollars(cost.meOne)}, most of which is the $0.20 request charge) and nothing on logins; it adds a second ` +
        'pool of warm environments (more cold starts, each billed INIT) and a second deploy unit.',
    ],
  };
}
