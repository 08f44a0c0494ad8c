import { defineChannel } from '../../src/sse/index.js';
import type { Comment, Post } from './posts.store.js';

/** The events of channel `activity`, by type. */
export interface ActivityEvents {
  new_post: Omit<Post, 'comments'>;
  new_comment: Comment;
}

/** Channel `activity`: every post and comment, as it is created. */
export const ACTIVITY = defineChannel<ActivityEvents>('activity');
