import {
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';

/** The request as SessionGuard leaves it: with the signed-in user. */
export interface SessionRequest {
  headers: Record<string, string | string[] | undefined>;
  user: { id: number };
}

/**
 * A user's session guard, as the docs' snippets import it (`./session.guard.js`):
 * lets in a request whose `session` cookie names a user. A stand-in for a real
 * session store.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SessionRequest>();
    const cookie = request.headers.cookie;
    const id = /(?:^|;\s*)session=(\d+)/.exec(
      typeof cookie === 'string' ? cookie : '',
    )?.[1];
    if (id === undefined) return false;
    request.user = { id: Number(id) };
    return true;
  }
}
