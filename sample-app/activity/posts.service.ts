import { Injectable, NotFoundException } from '@nestjs/common';
import { ChannelService } from '../../src/sse/index.js';

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

/** Posts and comments kept in memory, each announced on channel `activity`. */
@Injectable()
export class PostsService {
  private readonly posts: Post[] = [];
  private nextPostId = 1;
  private nextCommentId = 1;

  constructor(private readonly channels: ChannelService) {}

  list(): Post[] {
    return this.posts;
  }

  createPost(input: { title: string; author: string }): Post {
    const post: Post = { id: this.nextPostId++, title: input.title, author: input.author, comments: [] };
    this.posts.push(post);
    this.channels.channel('activity').send({
      type: 'new_post',
      data: { id: post.id, title: post.title, author: post.author },
    });
    return post;
  }

  addComment(postId: number, input: { author: string; body: string }): Comment {
    const post = this.posts.find((candidate) => candidate.id === postId);
    if (!post) throw new NotFoundException(`Post ${postId} does not exist`);
    const comment: Comment = { id: this.nextCommentId++, post_id: postId, author: input.author, body: input.body };
    post.comments.push(comment);
    this.channels.channel('activity').send({
      type: 'new_comment',
      data: { post_id: postId, author: comment.author, body: comment.body },
    });
    return comment;
  }
}
