import type { OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';

export interface Comment {
  id: number;
  post_id: number;
  author: string;
  body: string;
}

export interface Post {
  id: number;
  title: string;
  author: string;
  comments: Comment[];
}

/** Where the feed's posts live: in memory for one instance, in Redis for several. */
export abstract class PostsStore {
  /**
   * Whether other instances write it too: then their sends may not have
   * reached this instance yet when it reads the store.
   */
  abstract readonly shared: boolean;
  abstract list(): Promise<Post[]>;
  abstract addPost(input: { title: string; author: string }): Promise<Post>;
  /** `undefined` when the post does not exist. */
  abstract addComment(
    postId: number,
    input: { author: string; body: string },
  ): Promise<Comment | undefined>;
}

export class InMemoryPostsStore extends PostsStore {
  readonly shared = false;
  private readonly posts: Post[] = [];
  private nextPostId = 1;
  private nextCommentId = 1;

  async list(): Promise<Post[]> {
    return this.posts;
  }

  async addPost(input: { title: string; author: string }): Promise<Post> {
    const post: Post = { id: this.nextPostId++, ...input, comments: [] };
    this.posts.push(post);
    return post;
  }

  async addComment(
    postId: number,
    input: { author: string; body: string },
  ): Promise<Comment | undefined> {
    const post = this.posts.find((candidate) => candidate.id === postId);
    if (!post) return undefined;
    const comment: Comment = {
      id: this.nextCommentId++,
      post_id: postId,
      ...input,
    };
    post.comments.push(comment);
    return comment;
  }
}

/**
 * Posts shared by every instance of the sample app (`REDIS_URL`), so each
 * one's page lists them all, under `keyPrefix` (`SAMPLE_REDIS_PREFIX`).
 */
export class RedisPostsStore
  extends PostsStore
  implements OnApplicationShutdown
{
  readonly shared = true;
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly keyPrefix: string,
  ) {
    super();
    this.redis = new Redis(url);
  }

  async list(): Promise<Post[]> {
    const posts = (await this.redis.hvals(this.key('posts'))).map(
      (json) => JSON.parse(json) as Post,
    );
    const pipeline = this.redis.pipeline();
    for (const post of posts)
      pipeline.lrange(this.key(`comments:${post.id}`), 0, -1);
    const comments = (await pipeline.exec()) ?? [];
    posts.forEach(
      (post, i) =>
        (post.comments = (comments[i][1] as string[]).map(
          (json) => JSON.parse(json) as Comment,
        )),
    );
    return posts.sort((a, b) => a.id - b.id);
  }

  async addPost(input: { title: string; author: string }): Promise<Post> {
    const post: Post = {
      id: await this.redis.incr(this.key('post-id')),
      ...input,
      comments: [],
    };
    await this.redis.hset(this.key('posts'), post.id, JSON.stringify(post));
    return post;
  }

  async addComment(
    postId: number,
    input: { author: string; body: string },
  ): Promise<Comment | undefined> {
    if (!(await this.redis.hexists(this.key('posts'), String(postId))))
      return undefined;
    const comment: Comment = {
      id: await this.redis.incr(this.key('comment-id')),
      post_id: postId,
      ...input,
    };
    await this.redis.rpush(
      this.key(`comments:${postId}`),
      JSON.stringify(comment),
    );
    return comment;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit();
  }

  private key(name: string): string {
    return `${this.keyPrefix}${name}`;
  }
}
