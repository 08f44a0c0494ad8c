// `npm run size:client`: the size of nestjs-sse-channels/client as a page
// downloads it from a bundler's output: src/client bundled and minified by
// esbuild, then gzipped. test/client/client-size.spec.ts holds it under 2 kB.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const entry = fileURLToPath(new URL('../src/client/index.ts', import.meta.url));
const result = await build({
  entryPoints: [entry],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  write: false,
});
const code = result.outputFiles[0].contents;
console.log(
  `nestjs-sse-channels/client: ${code.length} B minified, ${gzipSync(code, { level: 9 }).length} B minified and gzipped`,
);
