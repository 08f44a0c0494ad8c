import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

/**
 * Every module specifier a file imports or re-exports at run time, statically
 * or dynamically: `import type` and `export type` are erased by the compiler.
 */
function specifiers(file: string): string[] {
  const source = readFileSync(file, 'utf8').replace(
    /^(?:import|export) type [^;]*;/gm,
    '',
  );
  return [
    ...source.matchAll(/(?:from\s+|import\s*\(?\s*)['"]([^'"]+)['"]/g),
  ].map((match) => match[1]);
}

/** The files reachable from `entry` through relative imports, and the packages they import. */
function importGraph(entry: string): {
  files: Set<string>;
  packages: Set<string>;
} {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of specifiers(file)) {
      if (specifier.startsWith('.'))
        visit(join(dirname(file), specifier).replace(/\.js$/, '.ts'));
      else
        packages.add(
          specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : specifier.split('/')[0],
        );
    }
  };
  visit(join(root, entry));
  return { files, packages };
}

describe('entry points', () => {
  it('the main entry pulls in no Redis client', () => {
    const { files, packages } = importGraph('src/sse/index.ts');
    // @nestjs/swagger is imported only if installed (an optional peer, for the OpenAPI document).
    expect([...packages].sort()).toEqual([
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/swagger',
      'node:crypto',
      'node:http',
      // For RST_STREAM's CANCEL code, with which an HTTP/2 stream is dropped.
      'node:http2',
      'node:module',
      'rxjs',
    ]);
    expect([...files].filter((file) => file.includes('/src/redis/'))).toEqual(
      [],
    );
  });

  it.each(['sse', 'redis', 'testing', 'prometheus', 'terminus', 'client'])(
    'no file the %s entry imports has a top-level await, so CommonJS apps can require() it',
    (entry) => {
      // Prettier puts top-level statements at column 0, and nothing else there.
      const topLevelAwait = /^[^\s/*].*\bawait\b/m;
      const { files } = importGraph(`src/${entry}/index.ts`);
      expect(
        [...files].filter((file) =>
          topLevelAwait.test(readFileSync(file, 'utf8')),
        ),
      ).toEqual([]);
    },
  );

  it('the testing kit is its own subpath, and needs nothing but Node at run time (its types come from the main entry)', () => {
    const manifest = JSON.parse(
      readFileSync(join(root, 'package.json'), 'utf8'),
    );
    expect(manifest.exports['./testing']).toEqual({
      types: './dist/src/testing/index.d.ts',
      default: './dist/src/testing/index.js',
    });
    expect([...importGraph('src/testing/index.ts').packages]).toEqual([]);
  });

  it('the browser client is its own subpath, and imports nothing at run time (a page loads it as it is)', () => {
    const manifest = JSON.parse(
      readFileSync(join(root, 'package.json'), 'utf8'),
    );
    expect(manifest.exports['./client']).toEqual({
      types: './dist/src/client/index.d.ts',
      default: './dist/src/client/index.js',
    });
    expect(manifest.typesVersions['*'].client).toEqual([
      './dist/src/client/index.d.ts',
    ]);
    const { files, packages } = importGraph('src/client/index.ts');
    expect([...packages]).toEqual([]);
    expect([...files].filter((file) => !file.includes('/src/client/'))).toEqual(
      [],
    );
  });

  it.each([
    ['prometheus', 'prom-client'],
    ['terminus', '@nestjs/terminus'],
  ])(
    'the %s integration is its own subpath, with %s an optional peer',
    (subpath, peer) => {
      const manifest = JSON.parse(
        readFileSync(join(root, 'package.json'), 'utf8'),
      );
      expect(manifest.exports[`./${subpath}`]).toEqual({
        types: `./dist/src/${subpath}/index.d.ts`,
        default: `./dist/src/${subpath}/index.js`,
      });
      expect(manifest.peerDependenciesMeta[peer]).toEqual({ optional: true });
      expect(importGraph(`src/${subpath}/index.ts`).packages).toContain(peer);
    },
  );

  it('the Redis transport is its own subpath, with ioredis an optional peer', () => {
    const manifest = JSON.parse(
      readFileSync(join(root, 'package.json'), 'utf8'),
    );
    expect(manifest.exports['./redis']).toEqual({
      types: './dist/src/redis/index.d.ts',
      default: './dist/src/redis/index.js',
    });
    expect(manifest.peerDependenciesMeta.ioredis).toEqual({ optional: true });
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(importGraph('src/redis/index.ts').packages).toContain('ioredis');
  });
});
