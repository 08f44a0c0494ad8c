import {
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
} from '@nestjs/common';
import { readFile } from 'node:fs/promises';

/**
 * The compiled nestjs-sse-channels/client, beside the compiled sample app
 * (`npm run build` writes both under dist/): its files import one another
 * relatively, so they are served as one folder.
 */
const CLIENT_FOLDER = new URL('../../src/client/', import.meta.url);
/** A file of that folder by name: no path, no dot-file, nothing but scripts. */
const CLIENT_FILE = /^[a-z][a-z.-]*\.js$/;

/**
 * Serves nestjs-sse-channels/client as ES modules, so that a page imports it
 * with no build step: `import { openSseStream } from '/sse-client/index.js'`
 * in a `<script type="module">`.
 */
@Controller()
export class ClientScriptController {
  private readonly files = new Map<string, Promise<string>>();

  @Get('/sse-client/:file')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  script(@Param('file') file: string): Promise<string> {
    if (!CLIENT_FILE.test(file))
      throw new NotFoundException(`No client file ${file}`);
    let text = this.files.get(file);
    if (!text) {
      text = readFile(new URL(file, CLIENT_FOLDER), 'utf8');
      this.files.set(file, text);
    }
    return text.catch(() => {
      this.files.delete(file);
      throw new NotFoundException(
        `No client file ${file} (npm run build writes them to dist/src/client)`,
      );
    });
  }
}
