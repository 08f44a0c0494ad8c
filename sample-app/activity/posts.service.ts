import { Injectable, NotFoundException } from '@nestjs/common';
import { ChannelService } from '../../src/sse/index.js';
import { PostsStore, type Comment, type Post } from './posts.store.js';

export type { Comment, Post } from './posts.store.js';

/** Posts and comments, each announced on channel `activity`. */
@Injectable()
export class PostsService {
  constructor(
    private readonly store: PostsStore,
    private readonly channels: ChannelService,
  ) {}

  list(): Promise<Post[]> {
    return this.store.list();
  }

  async createPost(input: { title: string; author: string }): Promise<Post> {
    const post = await this.store.addPost(input);
    this.channels.channel('activity').send({
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
    this.channels.channel('activity').send({
      type: 'new_comment',
      data: { post_id: postId, author: comment.author, body: comment.body },
    });
    return comment;
  }
}
