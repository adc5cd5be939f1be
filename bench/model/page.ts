import { measuredWork, parseBenchFigures } from './bench-figures.js';
import { runModel } from './model.js';
import { renderMarkdown } from './render.js';

/** Paths from the repository root. */
export const LATEST_FILE = '.data/bench/latest.json';
export const SNAPSHOT_FILE = 'bench/model/measured-snapshot.json';
export const PAGE_FILE = 'docs/scale-and-cost.md';

/** The model for a bench result (latest.json or the snapshot). */
export const modelFor = (json: unknown) => runModel(measuredWork(parseBenchFigures(json)));

/** docs/scale-and-cost.md as the committed snapshot produces it. */
export const pageFor = (snapshot: unknown): string => renderMarkdown(modelFor(snapshot), SNAPSHOT_FILE);
