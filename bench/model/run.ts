import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseBenchFigures, snapshotOf } from './bench-figures.js';
import { LATEST_FILE, modelFor, PAGE_FILE, pageFor, SNAPSHOT_FILE } from './page.js';
import { renderText } from './render.js';

// `npm run model`: the scale and cost tables from the latest `npm run bench` (.data/bench/latest.json), or from
// the committed snapshot of a real run on a fresh clone.
// `-- --markdown`: regenerate docs/scale-and-cost.md from the snapshot (the page a unit test holds it to).
// `-- --snapshot`: make the latest bench run the snapshot (only the figures the model reads), then the page.
const ROOT = resolve(import.meta.dirname, '..', '..');
const at = (path: string) => resolve(ROOT, path);
const readJson = async (path: string): Promise<unknown> => JSON.parse(await readFile(at(path), 'utf8'));

async function writePage(): Promise<void> {
  await mkdir(dirname(at(PAGE_FILE)), { recursive: true });
  await writeFile(at(PAGE_FILE), pageFor(await readJson(SNAPSHOT_FILE)));
  console.log(`wrote ${PAGE_FILE} from ${SNAPSHOT_FILE}`);
}

if (process.argv.includes('--snapshot')) {
  if (!existsSync(at(LATEST_FILE))) throw new Error(`${LATEST_FILE} is missing: run \`npm run bench\` first`);
  const figures = parseBenchFigures(await readJson(LATEST_FILE));
  await writeFile(at(SNAPSHOT_FILE), `${JSON.stringify(snapshotOf(figures), null, 2)}\n`);
  console.log(`wrote ${SNAPSHOT_FILE} from ${LATEST_FILE} (${figures.startedAt})`);
  await writePage();
} else if (process.argv.includes('--markdown')) {
  await writePage();
} else {
  const source = existsSync(at(LATEST_FILE)) ? LATEST_FILE : SNAPSHOT_FILE;
  console.log(renderText(modelFor(await readJson(source)), source));
}
