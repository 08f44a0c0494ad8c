import { build } from 'esbuild';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The budget of nestjs-sse-channels/client, minified and gzipped: a page downloads it. */
const BUDGET_BYTES = 2048;

describe('nestjs-sse-channels/client size', () => {
  it(`stays under ${BUDGET_BYTES} bytes minified and gzipped (npm run size:client says how much)`, async () => {
    const result = await build({
      entryPoints: [resolve(import.meta.dirname, '../../src/client/index.ts')],
      bundle: true,
      minify: true,
      format: 'esm',
      target: 'es2022',
      write: false,
      metafile: true,
    });
    const code = result.outputFiles[0].contents;
    // Nothing but the client's own files came in.
    expect(Object.keys(result.metafile.inputs)).toContain(
      'src/client/sse-stream.ts',
    );
    expect(
      Object.keys(result.metafile.inputs).filter(
        (input) => !input.startsWith('src/client/'),
      ),
    ).toEqual([]);
    expect(gzipSync(code, { level: 9 }).length).toBeLessThan(BUDGET_BYTES);
    expect(new TextDecoder().decode(code)).toContain('openSseStream');
  });
});
