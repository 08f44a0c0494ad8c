import {
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  ChannelService,
  SseTransport,
  SseTransportError,
  type SseTransportHealth,
} from '../../src/sse/index.js';
import {
  PacedSends,
  type SendReport,
  type SendRequest,
} from './paced-sends.js';

/** Routes the tests drive a node with: sends, counts and health, as JSON. */
@Controller()
export class ControlController {
  constructor(
    private readonly channels: ChannelService,
    private readonly sends: PacedSends,
    private readonly transport: SseTransport,
  ) {}

  /** Makes the sends and answers once they are all made (or the run was stopped). */
  @Post('send')
  @HttpCode(200)
  send(@Body() request: SendRequest): Promise<SendReport> {
    return this.sends.run(request);
  }

  /** A run's report so far. */
  @Get('send/:prefix')
  progress(@Param('prefix') prefix: string): SendReport {
    const report = this.sends.progress(prefix);
    if (!report) throw new NotFoundException(`no run with prefix "${prefix}"`);
    return report;
  }

  /** Stops a run; its `POST /send` then answers with what was sent. */
  @Post('send/:prefix/stop')
  @HttpCode(200)
  stop(@Param('prefix') prefix: string): SendReport {
    const report = this.sends.stop(prefix);
    if (!report) throw new NotFoundException(`no run with prefix "${prefix}"`);
    return report;
  }

  /**
   * Subscribers of a channel on this node (`local`) and on every live node
   * (`all`); a 503 with the error's message when `countAll()` cannot ask Redis.
   */
  @Get('count/:channel')
  async count(
    @Param('channel') name: string,
  ): Promise<{ local: number; all: number }> {
    const channel = this.channels.channel(name);
    try {
      return { local: channel.count(), all: await channel.countAll() };
    } catch (error) {
      if (error instanceof SseTransportError)
        throw new ServiceUnavailableException(error.message);
      throw error;
    }
  }

  @Get('health')
  health(): SseTransportHealth {
    return this.transport.health();
  }
}
