import {
  CanActivate,
  ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';

/** The token the sample app accepts; set `API_TOKEN` to change it. */
export const API_TOKEN = process.env.API_TOKEN ?? 'demo-token';

/**
 * Lets a request through when it carries `Authorization: Bearer <API_TOKEN>`.
 * A browser's EventSource cannot set headers, so SSE endpoints behind this guard
 * also accept the token as `?token=` (prefer a session cookie in a real app).
 */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{
      headers: Record<string, string | undefined>;
      query?: Record<string, unknown>;
    }>();
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ')
      ? header.slice('Bearer '.length)
      : request.query?.token;
    if (token !== API_TOKEN)
      throw new UnauthorizedException('A valid bearer token is required');
    return true;
  }
}
