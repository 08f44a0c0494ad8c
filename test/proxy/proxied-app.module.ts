import { Controller, Get, Header, Req } from '@nestjs/common';
import { ConnectionProbe } from '../fixtures/connection-probe.js';
import { fixture } from '../fixtures/fixture-module.js';
import {
  CountingInterceptor,
  HandlerRuns,
  ProbeController,
} from '../fixtures/probe.controller.js';

/** What the app saw of a request that came through the proxy. */
export interface SeenRequest {
  /** `request.ip`: the client's address once the app trusts the proxy. */
  ip: string;
  forwardedFor?: string;
  realIp?: string;
  forwardedProto?: string;
  connection?: string;
  /** The port of the proxy's connection to the app: the same twice means it was kept alive. */
  proxyPort: number;
}

/** A page whose EventSource follows `news` through the proxy, reporting what it receives. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<script>
  const source = new EventSource('/probe/channels/dynamic?join=news&probe=page');
  source.addEventListener('pushed', (event) => window.recordEvent(event.data, event.lastEventId));
</script>`;

/** What the proxy suite needs besides the probe endpoints. */
@Controller('proxied')
export class ProxiedController {
  @Get('request')
  request(@Req() request: any): SeenRequest {
    const raw = request.raw ?? request;
    return {
      ip: request.ip,
      forwardedFor: raw.headers['x-forwarded-for'],
      realIp: raw.headers['x-real-ip'],
      forwardedProto: raw.headers['x-forwarded-proto'],
      connection: raw.headers.connection,
      proxyPort: raw.socket.remotePort,
    };
  }

  @Get('page')
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }
}

/** The probe endpoints and {@link ProxiedController} on `SseModule.forRoot(options)`. */
export class ProxiedAppModule {
  static with = fixture(
    ProxiedAppModule,
    [ProbeController, ProxiedController],
    [ConnectionProbe, CountingInterceptor, HandlerRuns],
  );
}
