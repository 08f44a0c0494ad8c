import { Controller, Get, Header } from '@nestjs/common';
import { readFileSync } from 'node:fs';

// Read once at startup; the page is plain HTML and JavaScript, with no build step.
const PAGE = readFileSync(new URL('./index.html', import.meta.url), 'utf8');

/** Serves the activity feed page at `/`. */
@Controller()
export class PageController {
  @Get('/')
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }
}
