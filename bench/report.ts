import type { Summary } from './stats.js';

export type Status = 'PASS' | 'MISS' | 'info';

/** One line of the printed table: a figure, its same-run reference, their ratio and the target. */
export interface Row {
  figure: string;
  measurement: string;
  value: string;
  reference: string;
  ratio: string;
  target: string;
  status: Status;
}

export interface FigureResult {
  rows: Row[];
  /** Raw numbers for `.data/bench/latest.json`. */
  raw: Record<string, unknown>;
  notes?: string[];
}

export const ms = (value: number): string =>
  Number.isFinite(value) ? `${value < 10 ? value.toFixed(3) : value.toFixed(1)} ms` : 'n/a';

export const times = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');

export const perSecond = (value: number): string => `${value.toFixed(value < 100 ? 2 : 0)}/s`;

export const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

export const check = (ok: boolean): Status => (ok ? 'PASS' : 'MISS');

/** p50 and p99 rows for one measured variant against one reference summary. */
export function latencyRows(
  figure: string,
  label: string,
  value: Summary,
  reference: { label: string; summary: Summary },
  p50Target?: { text: string; ok: (p50: number, ratio: number) => boolean },
): Row[] {
  const p50Ratio = value.p50 / reference.summary.p50;
  return [
    {
      figure,
      measurement: `${label} p50 (n=${value.n})`,
      value: ms(value.p50),
      reference: `${reference.label} p50 ${ms(reference.summary.p50)}`,
      ratio: times(p50Ratio),
      target: p50Target?.text ?? '—',
      status: p50Target ? check(p50Target.ok(value.p50, p50Ratio)) : 'info',
    },
    {
      figure,
      measurement: `${label} p99`,
      value: ms(value.p99),
      reference: `${reference.label} p99 ${ms(reference.summary.p99)}`,
      ratio: times(value.p99 / reference.summary.p99),
      target: '—',
      status: 'info',
    },
  ];
}

const COLUMNS: { key: keyof Row; title: string }[] = [
  { key: 'figure', title: 'Figure' },
  { key: 'measurement', title: 'Measurement' },
  { key: 'value', title: 'Value' },
  { key: 'reference', title: 'Reference (same run)' },
  { key: 'ratio', title: 'Ratio' },
  { key: 'target', title: 'Target' },
  { key: 'status', title: 'Status' },
];

/** A plain-text table; the figure name is printed once per group. */
export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((row, i) =>
    COLUMNS.map(({ key }) => (key === 'figure' && rows[i - 1]?.figure === row.figure ? '' : row[key])),
  );
  const widths = COLUMNS.map(({ title }, c) =>
    Math.max(title.length, ...cells.map((line) => line[c]?.length ?? 0)),
  );
  const line = (values: readonly string[]): string =>
    values
      .map((value, c) => value.padEnd(widths[c] ?? 0))
      .join(' │ ')
      .trimEnd();
  const rule = widths.map((width) => '─'.repeat(width)).join('─┼─');
  const out = [line(COLUMNS.map((column) => column.title)), rule];
  cells.forEach((values, i) => {
    if (i > 0 && values[0] !== '') out.push(rule);
    out.push(line(values));
  });
  return out.join('\n');
}
