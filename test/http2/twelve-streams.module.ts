import { Controller, Get, Header } from '@nestjs/common';
import {
  SseEndpoint,
  type SseClose,
  type SseConnection,
  type SseSend,
} from '../../src/sse/index.js';
import { fixture } from '../fixtures/fixture-module.js';

/** How many EventSources the page opens: twice Chromium's six HTTP/1.1 connections per host. */
export const STREAM_COUNT = 12;

/**
 * A page that opens {@link STREAM_COUNT} EventSources to its own origin, and
 * reports each one's opening and each `update` it receives to the test
 * (`window.recordOpen`, `window.recordUpdate`, which the test exposes).
 */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>Twelve streams</title>
<script>
  window.streams = [];
  for (let i = 0; i < ${STREAM_COUNT}; i++) {
    const source = new EventSource('/news?stream=' + i);
    source.onopen = () => window.recordOpen(i);
    source.addEventListener('update', (event) => window.recordUpdate(i, event.data));
    window.streams.push(source);
  }
</script>`;

@Controller()
export class TwelveStreamsController {
  /** The page, from the origin its streams go to. */
  @Get('/twelve-streams.html')
  @Header('Content-Type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  /** A stream on channel `news`. */
  @SseEndpoint('/news', { channels: ['news'] })
  news(_send: SseSend, _close: SseClose, _connection: SseConnection) {}
}

/** The page and its streams, on `SseModule.forRoot(options)`. */
export class TwelveStreamsModule {
  static with = fixture(TwelveStreamsModule, [TwelveStreamsController]);
}
