/**
 * Builds the dashboard: `web/src/main.ts` (and the CSS it imports) bundled by esbuild, plus
 * `web/index.html`. The local runtime builds it in memory when it starts, so every `npm start`
 * and every test run serves the current source and nothing built is committed;
 * `tsx web/build.ts <dir>` writes the same files to a folder, for a static host.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const WEB_ROOT = fileURLToPath(new URL('.', import.meta.url));

/** One built file, by its URL path (`/app.js`). */
export interface DashboardAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const contentTypeOf = (path: string): string =>
  CONTENT_TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';

/** Builds the dashboard and answers its files by URL path (`/`, `/app.js`, `/app.css`). */
export const buildDashboard = async (): Promise<ReadonlyMap<string, DashboardAsset>> => {
  const result = await build({
    entryPoints: { app: join(WEB_ROOT, 'src/main.ts') },
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    outdir: join(WEB_ROOT, 'dist'),
    logLevel: 'silent',
  });
  const assets = new Map<string, DashboardAsset>();
  for (const file of result.outputFiles) {
    const name = `/${file.path.slice(join(WEB_ROOT, 'dist').length + 1)}`;
    assets.set(name, { contentType: contentTypeOf(name), body: Buffer.from(file.contents) });
  }
  const html = await readFile(join(WEB_ROOT, 'index.html'));
  assets.set('/', { contentType: CONTENT_TYPES['.html'] as string, body: html });
  return assets;
};

const writeDashboard = async (outdir: string): Promise<void> => {
  for (const [name, asset] of await buildDashboard()) {
    const target = join(outdir, name === '/' ? 'index.html' : name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, asset.body);
  }
  console.log(`Dashboard written to ${outdir}`);
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeDashboard(process.argv[2] ?? join(WEB_ROOT, 'dist'));
}
