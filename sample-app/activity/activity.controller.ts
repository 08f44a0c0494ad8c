import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Param,
  ParseIntPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import { SseEndpoint, SsePosition, type SseSend } from '../../src/sse/index.js';
import { BearerTokenGuard } from '../auth/bearer-token.guard.js';
import { ACTIVITY } from './activity-events.js';
import {
  PostsService,
  type Comment,
  type Post as FeedPost,
} from './posts.service.js';

/** The seed's live activity feed. */
@Controller()
export class ActivityController {
  constructor(private readonly posts: PostsService) {}

  @SseEndpoint('/activity', { channels: [ACTIVITY.name] })
  activity(send: SseSend) {
    send({ type: 'init', data: 'Connected to activity feed' });
  }

  /**
   * The whole feed, for a page that (re)loads its state, with the position it
   * was read at in the `SSE-Position` header: the page opens `/activity`
   * from there (`?lastEventId=<position>`) and gets every post after it,
   * once. Synchronous: the posts this instance followed, read in the same
   * step as the position.
   */
  @Get('/api/posts')
  @SsePosition(ACTIVITY)
  list(): FeedPost[] {
    return this.posts.list();
  }

  @Post('/api/posts')
  @UseGuards(BearerTokenGuard)
  createPost(
    @Body() body: { title?: unknown; author?: unknown },
  ): Promise<FeedPost> {
    return this.posts.createPost({
      title: requireText(body?.title, 'title'),
      author: requireText(body?.author, 'author'),
    });
  }

  @Post('/api/posts/:post_id/comments')
  @UseGuards(BearerTokenGuard)
  addComment(
    @Param('post_id', ParseIntPipe) postId: number,
    @Body() body: { author?: unknown; body?: unknown },
  ): Promise<Comment> {
    return this.posts.addComment(postId, {
      author: requireText(body?.author, 'author'),
      body: requireText(body?.body, 'body'),
    });
  }
}

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BadRequestException(`"${field}" must be a non-empty string`);
  }
  return value.trim().slice(0, 500);
}
