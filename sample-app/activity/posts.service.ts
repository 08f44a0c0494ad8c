import {
  Injectable,
  Logger,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  ChannelService,
  type SseFollowedEvent,
  type SseFollowing,
} from '../../src/sse/index.js';
import { ACTIVITY, type ActivityEvents } from './activity-events.js';
import { PostsProjection } from './posts.projection.js';
import { PostsStore, type Comment, type Post } from './posts.store.js';

export type { Comment, Post } from './posts.store.js';

/**
 * A channel this instance sends a marker on and follows, to know when it has
 * delivered every event sent before (one sequence for all channels). It keeps
 * no history: nobody replays it.
 */
const CAUGHT_UP = 'activity:caught-up';

/**
 * Posts and comments: written to the store, then announced on channel
 * `activity`. What `list()` serves is this instance's projection of them:
 * loaded from the store, then kept up to date by the `activity` events this
 * instance delivers (`follow()`), so that it and `channels.position()` are
 * one cut of the sequence, with one instance or many over Redis: a page that
 * opens `/activity` from that position gets every post after its snapshot,
 * once, and none in it.
 */
@Injectable()
export class PostsService
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(PostsService.name);
  private projection = new PostsProjection();
  private following: SseFollowing | undefined;
  /** The events delivered since the load under way started, if one is. */
  private loading: Array<SseFollowedEvent<ActivityEvents>> | undefined;
  /** The newest load: a reset starts one, which replaces any under way. */
  private loaded: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: PostsStore,
    private readonly channels: ChannelService,
  ) {}

  /** Follows `activity`, then loads the posts: Nest listens once both are done. */
  async onApplicationBootstrap(): Promise<void> {
    this.following = this.channels.channel(ACTIVITY).follow({
      event: (event) => {
        this.projection.apply(event);
        this.loading?.push(event);
      },
      // Events were missed (Redis lost its data, say): load the posts again.
      reset: () =>
        void this.load().catch((error: unknown) =>
          this.logger.error(`Reloading the posts failed: ${String(error)}`),
        ),
    });
    await this.load();
  }

  onApplicationShutdown(): void {
    this.following?.close();
  }

  /** The whole feed, synchronously: with `@SsePosition()`, one cut of the sequence. */
  list(): Post[] {
    return this.projection.list();
  }

  async createPost(input: { title: string; author: string }): Promise<Post> {
    const post = await this.store.addPost(input);
    this.channels.channel(ACTIVITY).send({
      type: 'new_post',
      data: { id: post.id, title: post.title, author: post.author },
    });
    return post;
  }

  async addComment(
    postId: number,
    input: { author: string; body: string },
  ): Promise<Comment> {
    const comment = await this.store.addComment(postId, input);
    if (!comment) throw new NotFoundException(`Post ${postId} does not exist`);
    this.channels
      .channel(ACTIVITY)
      .send({ type: 'new_comment', data: comment });
    return comment;
  }

  /**
   * Loads the posts from the store, waits until this instance has delivered
   * every event sent before the load ended, and serves the posts loaded plus
   * the events delivered meanwhile. The store is written before each send, so
   * an event this instance delivered before it followed has its post in the
   * store: nothing is lost. And once caught up, a post in the store has had
   * its event delivered here (the position covers it), unless its writer had
   * not sent it yet: the one window left, a writer that stored a post before
   * this load but whose send reached Redis only after this instance's marker.
   */
  private load(): Promise<void> {
    const delivered: Array<SseFollowedEvent<ActivityEvents>> = [];
    this.loading = delivered;
    return (this.loaded = this.loadFrom(delivered));
  }

  private async loadFrom(
    delivered: Array<SseFollowedEvent<ActivityEvents>>,
  ): Promise<void> {
    const posts = await this.store.list();
    if (this.store.shared) await this.caughtUp();
    // A later load replaces this one: done once it is.
    if (this.loading !== delivered) return this.loaded;
    const projection = new PostsProjection(posts);
    delivered.forEach((event) => projection.apply(event));
    this.projection = projection;
    this.loading = undefined;
  }

  /**
   * Resolves once this instance has delivered every event sent anywhere
   * before the call: a marker sent now comes after all of them (one round
   * trip through Redis). In memory there is nothing to wait for: events are
   * delivered within `send()`.
   */
  private caughtUp(): Promise<void> {
    const channel = this.channels.channel(CAUGHT_UP, { history: { size: 0 } });
    const marker = randomUUID();
    return new Promise((resolve) => {
      const following = channel.follow({
        event: (event) => {
          if (event.data !== marker) return;
          following.close();
          resolve();
        },
        // The marker may be lost with Redis's data: a new load replaces this one.
        reset: () => {
          following.close();
          resolve();
        },
      });
      channel.send({ type: 'marker', data: marker });
    });
  }
}
