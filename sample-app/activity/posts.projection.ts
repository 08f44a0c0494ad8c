import type { SseFollowedEvent } from '../../src/sse/index.js';
import type { ActivityEvents } from './activity-events.js';
import type { Comment, Post } from './posts.store.js';

/**
 * The feed as one instance serves it: posts and comments by id, from the
 * store and from the `activity` events the instance delivered. Taking the
 * same post or comment twice (from the store and from its event) changes
 * nothing, and a comment may come before its post.
 */
export class PostsProjection {
  private readonly posts = new Map<number, Omit<Post, 'comments'>>();
  /** Comments by post id, then by comment id. */
  private readonly comments = new Map<number, Map<number, Comment>>();

  constructor(posts: readonly Post[] = []) {
    for (const { comments, ...post } of posts) {
      this.addPost(post);
      comments.forEach((comment) => this.addComment(comment));
    }
  }

  apply(event: SseFollowedEvent<ActivityEvents>): void {
    if (event.type === 'new_post') this.addPost(event.json());
    else if (event.type === 'new_comment') this.addComment(event.json());
  }

  /** Every post, oldest first, each with its comments. */
  list(): Post[] {
    return [...this.posts.values()]
      .sort((a, b) => a.id - b.id)
      .map((post) => ({
        ...post,
        comments: [...(this.comments.get(post.id)?.values() ?? [])].sort(
          (a, b) => a.id - b.id,
        ),
      }));
  }

  private addPost(post: Omit<Post, 'comments'>): void {
    this.posts.set(post.id, post);
  }

  private addComment(comment: Comment): void {
    let comments = this.comments.get(comment.post_id);
    if (!comments) this.comments.set(comment.post_id, (comments = new Map()));
    comments.set(comment.id, comment);
  }
}
